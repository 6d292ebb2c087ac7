// Session: one sequence's forward passes over a Model, with its own KV cache
// and activation buffers. Eval feeds tokens at the next positions and leaves
// the logits of the last token (or of every token) in logits().
// Not thread-safe: one session per thread; kernels fan out over `pool`.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/aligned_buffer.h"
#include "base/status.h"
#include "base/types.h"
#include "model/blocks.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "platform/thread_pool.h"

namespace fab::model {

struct SessionOptions {
  int64_t n_ctx = 2048;     // capped at the model's training context
  int64_t max_batch = 512;  // tokens per forward pass (longer inputs are split)
};

class Session {
 public:
  // The model and pool must outlive the session.
  Session(const Model& model, ThreadPool& pool, const SessionOptions& options = {});

  // Feeds `tokens` at positions n_past() ... Errors (state unchanged): a token
  // outside the vocabulary, or more tokens than the context has room for.
  Status Eval(std::span<const TokenId> tokens, bool all_logits = false);

  // [n_vocab] logits of the last token fed, or [n_tokens, n_vocab] after
  // Eval(..., all_logits = true).
  std::span<const float> logits() const { return logits_; }
  int64_t n_past() const { return n_past_; }
  int64_t n_ctx() const { return n_ctx_; }
  size_t kv_cache_bytes() const { return cache_.n_bytes(); }
  // Forgets every position from `n_past` on (0 = empty).
  void Truncate(int64_t n_past);

 private:
  void EvalBatch(std::span<const TokenId> tokens, bool all_logits, float* logits_out);

  const Model& model_;
  ThreadPool& pool_;
  int64_t n_ctx_;
  int64_t max_batch_;
  int64_t n_past_ = 0;
  KvCache cache_;
  LayerRopes ropes_;
  ForwardBuffers buffers_;
  std::vector<int32_t> positions_;
  std::vector<float> logits_;
};

}  // namespace fab::model
