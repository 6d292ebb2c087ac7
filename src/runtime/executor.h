// Executor: runs one StepPlan on the model and returns its StepResult: the
// runtime half of the engine step (Schedule → Execute → Update). Owns the KV
// pages (sized from the KV pool), the batched forward pass and one Sampler
// per live sequence (created from the sequence's SamplingParams the first
// time it samples, dropped when it appears in StepPlan::ended). Constrained
// sequences' token masks are computed on ConstraintMasks' thread while the
// forward pass runs.
// Not thread-safe: the engine's step thread calls it; kernels fan out over the pool.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>

#include "base/status.h"
#include "model/model.h"
#include "platform/thread_pool.h"
#include "runtime/batched_forward.h"
#include "runtime/constraint_masks.h"
#include "runtime/kv_pages.h"
#include "runtime/logprobs.h"
#include "runtime/sampler.h"
#include "request/step_plan.h"

namespace fab::runtime {

struct ExecutorOptions {
  int64_t n_blocks = 0;            // KV pool blocks (the KV cache manager's pool size)
  int32_t block_size = 16;         // token slots per block, as in the plans
  int64_t max_tokens_per_step = 512;
  KvDType kv_dtype = KvDType::kF16;
  // Tokens per sequence, for RoPE variants chosen by context size (LongRoPE);
  // 0: the model's training context.
  int64_t n_ctx = 0;
};

class Executor {
 public:
  // model and pool must outlive the executor. InvalidArgument for sizes out
  // of range (see KvPages::Create) or max_tokens_per_step outside [1, 2^20].
  // Every architecture the model layer loads runs here (its own layers).
  static StatusOr<std::unique_ptr<Executor>> Create(const model::Model& model, ThreadPool& pool,
                                                    const ExecutorOptions& options);

  // Validates `plan` (InvalidArgument / OutOfRange, nothing computed or
  // written), runs it and samples one token per sequence with sample == true,
  // in plan order, with its raw log-probability and n_top_logprobs
  // alternatives; scores the score_next tokens of sequences that have them.
  // An empty plan only drops ended sequences' samplers.
  StatusOr<StepResult> Execute(const StepPlan& plan);

  // Logits the last Execute sampled from, one row per StepResult entry.
  std::span<const float> last_logits(int64_t sampled_idx) const { return forward_.logits_row(sampled_idx); }
  const KvPages& pages() const { return *pages_; }
  size_t n_live_samplers() const { return samplers_.size(); }

 private:
  Executor(const model::Model& model, ThreadPool& pool, std::unique_ptr<KvPages> pages, int64_t max_tokens,
           int64_t n_ctx);
  Status Validate(const StepPlan& plan) const;
  Status ValidateSequence(const ScheduledSequence& sequence, int32_t block_size) const;
  // The sampler of `sequence`, created on first use.
  StatusOr<Sampler*> SamplerFor(const ScheduledSequence& sequence);
  // `logits` with every token outside `allowed` at -inf (in masked_);
  // `logits` itself when `allowed` is empty (nothing is restricted).
  std::span<const float> Constrained(std::span<const float> logits, std::span<const uint32_t> allowed);
  // Appends the PromptScores of `sequence`, whose rows start at step row `first_row`.
  void ScorePrompt(const ScheduledSequence& sequence, int64_t first_row, StepResult& result);

  const model::Model& model_;
  std::unique_ptr<KvPages> pages_;  // heap-held so forward_'s reference stays valid
  BatchedForward forward_;
  std::unordered_map<SeqId, Sampler> samplers_;
  LogprobScratch logprob_scratch_;
  std::vector<float> masked_;  // Constrained's output
  ConstraintMasks masks_;      // computed beside the forward pass
};

// log softmax(logits)[token], computed stably in double (the slow reference
// for LogprobScratch).
float LogProbability(std::span<const float> logits, TokenId token);

}  // namespace fab::runtime
