// Reports of `tokenfab bench serve`: a vLLM-like text table per run, a
// one-line-per-run sweep summary, and the JSON array of runs (config and
// every metric, latencies in milliseconds). Pure, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/bench_serve_metrics.h"
#include "cli/bench_serve_options.h"

namespace fab::cli {

struct BenchServeResult {
  BenchServeRun run;
  std::string model;  // as sent; empty: none
  uint64_t seed = 0;
  RunMetrics metrics;
};

// "inf" or the rate with up to 3 decimals.
std::string FormatRequestRate(double rate);
// "unlimited" or the number.
std::string FormatConcurrency(int max_concurrency);

std::string FormatRunTable(const BenchServeResult& result, const SloSpec& slo);
// One header line and one line per run: concurrency, rate, tok/s, TTFT and TPOT p50/p99.
std::string FormatSweepSummary(const std::vector<BenchServeResult>& results);
// A JSON array, one object per run.
std::string FormatRunsJson(const std::vector<BenchServeResult>& results, const BenchServeOptions& options);

}  // namespace fab::cli
