// Percentile: the one percentile definition every benchmark reports (bench
// engine, bench serve, bench soak), so their p50/p90/p99 compare: linear
// interpolation between the closest ranks, numpy's default and the one vLLM's
// benchmark_serving prints. Header-only, pure.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace fab {

// The q-th percentile (q in [0, 100], clamped) of `sorted`, which is
// ascending and non-empty.
inline double Percentile(const std::vector<double>& sorted, double q) {
  const double rank = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(rank));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = rank - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * weight;
}

}  // namespace fab
