// The shared transformer blocks that architecture files compose
// (model/arch/*.cc). Each block reads the residual stream x and adds its
// output to it in place, for a batch of consecutive tokens of one sequence.
// Threads: called from one thread; kernels fan out over `pool`.
#pragma once

#include <cstdint>

#include "kernels/ops.h"
#include "model/hparams.h"
#include "model/kv_cache.h"
#include "model/weights.h"
#include "platform/thread_pool.h"

namespace fab::model {

// Scratch activations for up to max_batch tokens, owned by the session.
struct BlockScratch {
  float* norm;  // [max_batch, n_embd]
  float* q;     // [max_batch, q_dim]
  float* attn;  // [max_batch, q_dim]
  float* gate;  // [max_batch, n_ff]
  float* up;    // [max_batch, n_ff]
};

struct LayerContext {
  const ModelHparams& hp;
  const LayerWeights& weights;
  const kernels::RopeParams& rope;
  int64_t layer_idx;
  int64_t n_tokens;          // tokens in this batch
  int64_t pos0;              // position of the first one
  const int32_t* positions;  // [n_tokens]
  float* x;                  // [n_tokens, n_embd] residual stream
  BlockScratch& scratch;
  KvCache& cache;
  ThreadPool& pool;
};

// x += Wo · Attention(RoPE(Wq·n + bq), RoPE(Wk·n + bk), Wv·n + bv), n = RMSNorm(x)·attn_norm.
// Appends this batch's keys and values to the cache at pos0.
void AttentionBlock(const LayerContext& ctx);

// x += Wdown · (SiLU(Wgate·n) ⊙ Wup·n), n = RMSNorm(x)·ffn_norm.
void FeedForwardBlock(const LayerContext& ctx);

}  // namespace fab::model
