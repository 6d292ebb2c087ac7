// What one benchmark request recorded, and the summary of a run over them,
// with the definitions of vLLM's serving benchmark: TTFT = first token −
// start; TPOT = (e2e − TTFT) / (output tokens − 1) per request (requests with
// one output token have none); ITL = gaps between consecutive token events,
// pooled over requests; goodput = requests per second meeting both SLOs
// (a request without a TPOT meets the TPOT SLO). Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fab::cli {

// Times are seconds since the run started.
struct RequestRecord {
  bool success = false;
  std::string error;                 // why it failed
  double start_s = 0.0;              // when the request was sent
  double first_token_s = -1.0;       // the first event with text; < 0: none
  std::vector<double> token_times_s; // every event with text, in order
  double end_s = 0.0;
  int64_t n_prompt_tokens = 0;       // usage.prompt_tokens, else what was sent (0 if unknown)
  int64_t n_output_tokens = 0;       // usage.completion_tokens, else the number of text events
};

// Mean and percentiles of a sample; all 0 for an empty one.
struct LatencySummary {
  double mean = 0.0;
  double p50 = 0.0;
  double p90 = 0.0;
  double p99 = 0.0;
  int64_t n = 0;
};

struct SloSpec {
  double ttft_s = 2.0;
  double tpot_s = 0.2;
};

struct RunMetrics {
  int64_t n_completed = 0;
  int64_t n_failed = 0;
  double duration_s = 0.0;  // the run's start to its last request's end
  int64_t n_prompt_tokens = 0;
  int64_t n_output_tokens = 0;
  double request_throughput = 0.0;  // completed requests per second
  double output_throughput = 0.0;   // output tokens per second
  double total_token_throughput = 0.0;
  double goodput = 0.0;             // requests per second meeting both SLOs
  LatencySummary ttft_s;
  LatencySummary tpot_s;
  LatencySummary itl_s;
  LatencySummary e2e_s;
  std::vector<std::string> first_errors;  // up to kMaxReportedErrors distinct messages
  // From the server's /metrics before and after the run, when it has them
  // (a tokenfab server): energy and cost of the run's requests, and the
  // prompt + completion tokens the server metered for them.
  std::optional<double> joules;
  std::optional<double> cost;
  std::optional<double> metered_tokens;
  std::string currency;
};

inline constexpr size_t kMaxReportedErrors = 3;

LatencySummary Summarize(std::vector<double> values);

// Seconds per output token after the first; < 0 when it is undefined
// (failed, no first token, fewer than two output tokens).
double TimePerOutputToken(const RequestRecord& record);

// Summarizes the successful requests; failures are counted and their first
// distinct errors kept.
RunMetrics ComputeRunMetrics(const std::vector<RequestRecord>& records, double duration_s, const SloSpec& slo);

}  // namespace fab::cli
