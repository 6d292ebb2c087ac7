// Batched serving speed for `tokenfab bench engine --concurrency`, measured
// like llama-batched-bench: `sequences` requests, each a random prompt of
// n_prompt tokens (the first shared_prefix of them equal across requests)
// and exactly n_gen greedy tokens, all queued at once and driven through the
// scheduler and the runtime executor (Schedule → Execute → Update) on the
// calling thread; kernels fan out over the pool.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "model/model.h"
#include "platform/thread_pool.h"

namespace fab::cli {

// Aggregate rates over all sequences of one run.
struct BatchedFigures {
  int sequences = 0;
  double pp_tps = 0.0;      // sequences × n_prompt / time until the last first token
  double tg_tps = 0.0;      // sequences × (n_gen − 1) / time after it; 0 when n_gen == 1
  double ttft_p50_s = 0.0;  // time to first token from the first Schedule, nearest rank
  double ttft_p99_s = 0.0;
};

inline constexpr int kMaxBenchSequences = 256;

// InvalidArgument naming the value unless 1 <= sequences <= 256,
// n_prompt >= 1, n_gen >= 1, 0 <= shared_prefix <= n_prompt and
// n_prompt + n_gen <= the model's n_ctx_train.
Status ValidateBatched(const model::Model& model, int sequences, int64_t n_prompt, int64_t n_gen,
                       int64_t shared_prefix);

// Validates as above, then runs every sequence to the end. The KV pool holds
// every sequence whole, so nothing is preempted. Errors from the scheduler or
// executor are returned as they are.
StatusOr<BatchedFigures> RunBatched(const model::Model& model, ThreadPool& pool, int sequences, int64_t n_prompt,
                                    int64_t n_gen, int64_t shared_prefix);

}  // namespace fab::cli
