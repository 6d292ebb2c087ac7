// The options of `tokenfab bench serve` (a load generator against any
// OpenAI-compatible server) and their validation into a plan of runs: one run
// per (--max-concurrency, --request-rate) pair, concurrency-major, in the
// order given. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace fab::cli {

struct BenchServeOptions {
  std::string base_url = "http://127.0.0.1:8080";
  std::string model;                        // empty: the first of GET /v1/models, else none sent
  std::string endpoint = "/v1/completions";  // or /v1/chat/completions (text prompts only)
  int64_t num_prompts = 64;                 // requests per run
  std::vector<std::string> request_rates = {"inf"};  // per second; "inf": all at once
  std::vector<int> max_concurrency;         // empty: unlimited (up to kMaxBenchWorkers)
  int64_t random_input_len = 150;           // prompt tokens of random prompts
  int64_t random_output_len = 64;           // max_tokens
  double random_range_ratio = 0.0;          // lengths uniform in [len·(1−r), len·(1+r)]
  std::vector<int32_t> random_token_range = {100, 30000};  // random ids are uniform in [MIN, MAX)
  std::string dataset_path;                 // empty: random token prompts
  uint64_t seed = 0;
  bool seed_given = false;                  // false: the seed comes from the clock (fresh prompts)
  double ttft_slo_ms = 2000.0;
  double tpot_slo_ms = 200.0;
  std::string json_path;
  std::string svg_path;
  bool show_progress = true;
  bool ignore_eos = true;                   // ask for exactly max_tokens (servers that support it)
  double timeout_s = 600.0;                 // longest wait for the next bytes of a response
  std::string api_key;                      // sent as Authorization: Bearer; empty: none
  std::string extra_body;                   // a JSON object merged into every request body (vLLM's --extra-body)
};

// Concurrency is served by one thread and one connection per slot.
inline constexpr int kMaxBenchWorkers = 1024;
inline constexpr int64_t kMaxBenchPrompts = int64_t{1} << 20;
inline constexpr int64_t kMaxBenchTokens = int64_t{1} << 17;        // per prompt or output
inline constexpr int64_t kMaxBenchPromptTokensPerRun = int64_t{1} << 26;  // prompts are built before a run

struct BenchServeRun {
  double request_rate = 0.0;  // +infinity: every request at time 0
  int max_concurrency = 0;    // 0: unlimited
};

// "inf" (or "infinity") or a finite rate > 0 per second.
StatusOr<double> ParseRequestRate(const std::string& text);

// Checks every option (ranges, endpoint, URL shape, dataset vs chat) and
// returns the runs of the sweep. Errors name the option.
StatusOr<std::vector<BenchServeRun>> PlanBenchServeRuns(const BenchServeOptions& options);

// Runs the benchmark; returns the process exit code (0 ok, 1 failure).
int RunBenchServe(const BenchServeOptions& options);

}  // namespace fab::cli
