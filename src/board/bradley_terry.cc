#include "board/bradley_terry.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fab::board {
namespace {

constexpr double kNaturalToElo = 400.0 / 2.302585092994046;  // 400 / ln 10

// Votes folded per unordered pair: n battles, i's total score against j.
struct Pair {
  uint32_t i, j;
  double n = 0.0;
  double score_i = 0.0;
};

std::vector<Pair> FoldPairs(std::span<const Vote> votes) {
  std::vector<Pair> pairs;
  std::vector<Vote> sorted(votes.begin(), votes.end());
  for (Vote& v : sorted) {
    if (v.a > v.b) {
      std::swap(v.a, v.b);
      v.score_a = 1.0 - v.score_a;
    }
  }
  std::sort(sorted.begin(), sorted.end(), [](const Vote& x, const Vote& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  for (const Vote& v : sorted) {
    if (pairs.empty() || pairs.back().i != v.a || pairs.back().j != v.b) pairs.push_back(Pair{v.a, v.b});
    pairs.back().n += 1.0;
    pairs.back().score_i += v.score_a;
  }
  return pairs;
}

double Sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x)); }

double LogLikelihood(const std::vector<Pair>& pairs, const std::vector<double>& theta, double lambda) {
  double ll = 0.0;
  for (const Pair& p : pairs) {
    const double d = theta[p.i] - theta[p.j];
    // log σ(d) = −log(1 + e^−d), computed stably.
    const double log_p = -std::log1p(std::exp(-std::fabs(d))) + std::min(d, 0.0);
    const double log_q = -std::log1p(std::exp(-std::fabs(d))) + std::min(-d, 0.0);
    ll += p.score_i * log_p + (p.n - p.score_i) * log_q;
  }
  for (double t : theta) ll -= 0.5 * lambda * t * t;
  return ll;
}

// Solves m·x = rhs in place (m is n×n, row-major) by Gaussian elimination
// with partial pivoting; false when m is singular.
bool Solve(std::vector<double> m, std::vector<double>& rhs) {
  const size_t n = rhs.size();
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t row = col + 1; row < n; ++row) {
      if (std::fabs(m[row * n + col]) > std::fabs(m[pivot * n + col])) pivot = row;
    }
    if (std::fabs(m[pivot * n + col]) < 1e-300) return false;
    if (pivot != col) {
      for (size_t k = 0; k < n; ++k) std::swap(m[col * n + k], m[pivot * n + k]);
      std::swap(rhs[col], rhs[pivot]);
    }
    for (size_t row = col + 1; row < n; ++row) {
      const double f = m[row * n + col] / m[col * n + col];
      if (f == 0.0) continue;
      for (size_t k = col; k < n; ++k) m[row * n + k] -= f * m[col * n + k];
      rhs[row] -= f * rhs[col];
    }
  }
  for (size_t col = n; col-- > 0;) {
    double sum = rhs[col];
    for (size_t k = col + 1; k < n; ++k) sum -= m[col * n + k] * rhs[k];
    rhs[col] = sum / m[col * n + col];
  }
  return true;
}

// Maximises the (penalised) log-likelihood over θ; with lambda 0 the
// solution is pinned to Σθ = 0 (the likelihood only sees differences).
std::vector<double> Maximise(uint32_t n, const std::vector<Pair>& pairs, double lambda) {
  std::vector<double> theta(n, 0.0);
  double ll = LogLikelihood(pairs, theta, lambda);
  for (int iteration = 0; iteration < 200; ++iteration) {
    std::vector<double> gradient(n, 0.0);
    std::vector<double> hessian(static_cast<size_t>(n) * n, 0.0);
    for (const Pair& p : pairs) {
      const double prob = Sigmoid(theta[p.i] - theta[p.j]);
      const double g = p.score_i - p.n * prob;
      const double w = p.n * prob * (1.0 - prob);
      gradient[p.i] += g;
      gradient[p.j] -= g;
      hessian[p.i * n + p.i] -= w;
      hessian[p.j * n + p.j] -= w;
      hessian[p.i * n + p.j] += w;
      hessian[p.j * n + p.i] += w;
    }
    for (uint32_t i = 0; i < n; ++i) {
      gradient[i] -= lambda * theta[i];
      hessian[i * n + i] -= lambda;
    }
    // Without the prior, H is singular along (1, …, 1); H − 11ᵀ is not, and
    // the gradient has no component along it, so the step keeps Σθ = 0.
    if (lambda == 0.0) {
      for (double& h : hessian) h -= 1.0;
    }
    std::vector<double> step = gradient;
    if (!Solve(hessian, step)) break;
    for (double& s : step) s = -s;
    double scale = 1.0;
    std::vector<double> next(n);
    double next_ll = ll;
    for (int halving = 0; halving < 40; ++halving, scale *= 0.5) {
      for (uint32_t i = 0; i < n; ++i) next[i] = theta[i] + scale * step[i];
      next_ll = LogLikelihood(pairs, next, lambda);
      if (next_ll >= ll - 1e-12) break;
    }
    double largest = 0.0;
    for (uint32_t i = 0; i < n; ++i) largest = std::max(largest, std::fabs(next[i] - theta[i]));
    theta = next;
    ll = next_ll;
    if (largest < 1e-11) break;
  }
  return theta;
}

}  // namespace

std::optional<NoMaximum> WhyNoMaximumLikelihood(uint32_t n_models, std::span<const Vote> votes) {
  // Edge i → j: i beat or tied j at least once.
  std::vector<std::vector<uint32_t>> forward(n_models), backward(n_models);
  std::vector<bool> won(n_models, false), lost(n_models, false), played(n_models, false);
  for (const Vote& v : votes) {
    played[v.a] = played[v.b] = true;
    if (v.score_a > 0.0) {
      forward[v.a].push_back(v.b), backward[v.b].push_back(v.a);
      won[v.a] = lost[v.b] = true;
    }
    if (v.score_a < 1.0) {
      forward[v.b].push_back(v.a), backward[v.a].push_back(v.b);
      won[v.b] = lost[v.a] = true;
    }
  }
  for (uint32_t i = 0; i < n_models; ++i) {
    if (!played[i]) return NoMaximum{i, "is in no vote"};
    if (!lost[i]) return NoMaximum{i, "never lost"};
    if (!won[i]) return NoMaximum{i, "never won"};
  }
  const auto reaches_all = [n_models](const std::vector<std::vector<uint32_t>>& edges) {
    std::vector<bool> seen(n_models, false);
    std::vector<uint32_t> stack = {0};
    seen[0] = true;
    size_t n_seen = 1;
    while (!stack.empty()) {
      const uint32_t at = stack.back();
      stack.pop_back();
      for (uint32_t next : edges[at]) {
        if (!seen[next]) seen[next] = true, ++n_seen, stack.push_back(next);
      }
    }
    return n_seen == n_models;
  };
  if (n_models > 1 && (!reaches_all(forward) || !reaches_all(backward))) {
    return NoMaximum{std::nullopt, "the votes split the models into groups that never met, or where one side never won"};
  }
  return std::nullopt;
}

Fit FitBradleyTerry(uint32_t n_models, std::span<const Vote> votes) {
  Fit fit;
  if (n_models == 0) return fit;
  fit.why = WhyNoMaximumLikelihood(n_models, votes);
  const std::vector<double> theta = Maximise(n_models, FoldPairs(votes), fit.why ? kPriorLambda : 0.0);
  const double mean = std::accumulate(theta.begin(), theta.end(), 0.0) / n_models;
  for (double t : theta) fit.ratings.push_back(1000.0 + (t - mean) * kNaturalToElo);
  return fit;
}

}  // namespace fab::board
