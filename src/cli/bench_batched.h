// Batched serving speed for `tokenfab bench engine --concurrency`, measured
// like llama-batched-bench but through the serving engine (engine/engine.h):
// `sequences` requests, each a random prompt of n_prompt tokens (the first
// shared_prefix of them equal across requests) and exactly n_gen greedy
// tokens, all submitted at once. With a shared prefix, RunPrefixArrivals
// measures what the prefix cache buys: a cold prefill against later
// arrivals that find the prefix cached, and the KV blocks they occupy.
// The engine owns the thread pool while a run lasts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "api/engine_setup.h"
#include "model/model.h"
#include "platform/thread_pool.h"

namespace fab::cli {

struct BatchedRun {
  int sequences = 1;
  int64_t n_prompt = 0;
  int64_t n_gen = 0;
  int64_t shared_prefix = 0;
  tokenfab::EngineOptions engine;  // kv_cache empty: a pool that holds every sequence whole
  std::optional<double> power_budget_watts;  // Engine::SetPowerBudget for the run
};

// Aggregate rates over all sequences of one run.
struct BatchedFigures {
  int sequences = 0;
  double pp_tps = 0.0;      // sequences × n_prompt / time until the last first token
  double tg_tps = 0.0;      // sequences × (n_gen − 1) / time after it; 0 when n_gen == 1
  double ttft_p50_s = 0.0;  // time to first token from submission, nearest rank
  double ttft_p99_s = 0.0;
  int64_t n_preemptions = 0;
  double user_tps_p50 = 0.0;      // each sequence's (n_gen − 1) / (end − first token), median
  double watts = 0.0;             // the engine's meter over the run (its power source)
  double joules_per_output_token = 0.0;
  std::string energy_source;
};

// Sequences sharing a prefix, arriving one after another.
struct PrefixFigures {
  int sequences = 0;
  int64_t shared_prefix = 0;
  int64_t n_prompt = 0;
  double cold_ttft_s = 0.0;      // the prompt alone, nothing cached
  double warm_ttft_p50_s = 0.0;  // sequences 2..N, nearest rank
  double warm_ttft_p99_s = 0.0;
  double warm_to_cold = 0.0;     // warm_ttft_p50_s / cold_ttft_s
  // One more sequence sharing the prefix, submitted alone once the others
  // ended: the cache's effect without other sequences' decode steps.
  double warm_idle_ttft_s = 0.0;
  double warm_idle_to_cold = 0.0;  // warm_idle_ttft_s / cold_ttft_s
  int64_t cached_prompt_tokens = 0;  // over sequences 2..N
  int32_t block_size = 0;
  int32_t kv_blocks_peak = 0;        // in use at the peak of the run
  int64_t kv_blocks_unshared = 0;    // N × blocks of one sequence, had nothing been shared
  int64_t prefix_blocks = 0;         // full blocks of the shared prefix
};

inline constexpr int kMaxBenchSequences = 256;

// InvalidArgument naming the value unless 1 <= sequences <= 256,
// n_prompt >= 1, n_gen >= 1, 0 <= shared_prefix <= n_prompt and
// n_prompt + n_gen <= the model's n_ctx_train.
Status ValidateBatched(const model::Model& model, const BatchedRun& run);

// Validates as above, submits every sequence at once and waits for all.
// A sequence that ends other than by reaching n_gen tokens is an error.
StatusOr<BatchedFigures> RunBatched(const model::Model& model, ThreadPool& pool, const BatchedRun& run);

// Validates as above (shared_prefix >= 1, sequences >= 2), then (a) times
// the first token of one prompt alone on an empty cache, (b) submits
// `sequences` prompts sharing the prefix, each when the previous one has its
// first token (so earlier ones decode meanwhile), and reports their warm
// TTFT and (c) the KV blocks in use at the peak.
StatusOr<PrefixFigures> RunPrefixArrivals(const model::Model& model, ThreadPool& pool, const BatchedRun& run);

}  // namespace fab::cli
