// BatchedForward: one forward pass over every token of a StepPlan at once.
// The tokens of all sequences form one batch of T rows run through the
// model's own layers (model::ArchSpec::forward_layer over the shared blocks),
// so each weight matrix is multiplied once per step for all rows (GEMM) and
// RoPE uses each row's own position. As the layers' KvSink, it puts K/V in
// each row's slot in KvPages and attention reads every sequence's blocks
// through its table. Only the last row of each sampling sequence goes through
// the final norm and output head in Run; other rows get logits only on
// request (RowLogits, for prompt scoring), a few rows at a time.
// Callers validate the plan first (Executor does); shapes here are contracts.
// Not thread-safe: one caller thread; kernels fan out over `pool`.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/aligned_buffer.h"
#include "kernels/ops.h"
#include "model/blocks.h"
#include "model/model.h"
#include "platform/thread_pool.h"
#include "runtime/kv_pages.h"
#include "request/step_plan.h"

namespace fab::runtime {

class BatchedForward final : private model::KvSink {
 public:
  // model, pages and pool must outlive this object. Activation buffers hold
  // max_tokens rows (the scheduler's per-step token budget). n_ctx: tokens
  // per sequence, which picks LongRoPE factors (0: the training context).
  BatchedForward(const model::Model& model, KvPages& pages, ThreadPool& pool, int64_t max_tokens,
                 int64_t n_ctx = 0);

  // Runs `plan` (plan.n_tokens() <= max_tokens, every table covering its fed
  // positions) and leaves one row of logits per sampling sequence, in plan
  // order, in logits().
  void Run(const StepPlan& plan);

  // [n_sampled, n_vocab] from the last Run.
  std::span<const float> logits() const { return logits_; }
  std::span<const float> logits_row(int64_t sampled_idx) const;
  int64_t max_tokens() const { return max_tokens_; }

  // Rows of logits for step rows [first_row, first_row + n_rows) of the last
  // Run (rows in plan order, each sequence's fed tokens in order), as
  // [n_rows, n_vocab]. n_rows in [1, kMaxRowLogits]. Valid until the next
  // RowLogits or Run; logits() stays valid.
  static constexpr int64_t kMaxRowLogits = 32;
  std::span<const float> RowLogits(int64_t first_row, int64_t n_rows);

 private:
  void GatherRows(const StepPlan& plan);
  // model::KvSink, for the rows of the current step.
  Rows KvRows(int64_t layer) override;
  void Attend(int64_t layer, const float* q, float* out, ThreadPool& pool) override;

  const model::Model& model_;
  KvPages& pages_;
  ThreadPool& pool_;
  int64_t max_tokens_;
  model::LayerRopes ropes_;
  model::ForwardBuffers buffers_;  // max_tokens rows
  AlignedBuffer k_, v_;           // [max_tokens, kv_dim] each
  // Per row of the current step.
  std::vector<int32_t> positions_;
  std::vector<int32_t> row_sequence_;
  std::vector<BlockId> row_block_;
  std::vector<int32_t> row_slot_;
  std::vector<std::span<const BlockId>> block_tables_;  // per plan sequence
  std::vector<int64_t> sampled_rows_;                             // rows whose logits are wanted
  std::vector<float> logits_;
  std::vector<int64_t> extra_rows_;  // RowLogits' rows
  std::vector<float> row_logits_;    // [<= kMaxRowLogits, n_vocab], allocated on first use
};

}  // namespace fab::runtime
