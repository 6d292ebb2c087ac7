// The shared transformer blocks that architecture files compose
// (model/arch/*.cc), used by both model::Session (one sequence, contiguous
// KvCache) and the batched runtime (rows of many sequences, paged KV). Each
// block reads the residual stream x and adds its output to it in place, for a
// batch of rows that may belong to different sequences at different positions;
// where keys and values go and how attention reads them is the KvSink's job.
// Threads: called from one thread; kernels fan out over `pool`.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/aligned_buffer.h"
#include "base/types.h"
#include "kernels/ops.h"
#include "model/hparams.h"
#include "model/weights.h"
#include "platform/thread_pool.h"

namespace fab::model {

// Scratch activations for up to max_batch rows, owned by the caller.
// gate and up hold max_batch rows of the widest dense or shared FFN, or
// max_batch · n_expert_used rows of an expert's. The moe_* buffers exist
// only for mixture-of-experts models (else null).
struct BlockScratch {
  float* norm;     // [max_batch, n_embd]
  float* q;        // [max_batch, q_dim]
  float* attn;     // [max_batch, q_dim]
  float* gate;     // [max_batch, ffn width]
  float* up;       // [max_batch, ffn width]
  float* router;   // [max_batch, n_expert]: router logits, then probabilities
  float* moe_in;   // [max_batch · n_expert_used, n_embd]: the routed rows, expert by expert
  float* moe_out;  // [max_batch · n_expert_used, n_embd]: each routed row's expert output
  float* moe_acc;  // [max_batch, n_embd]: Σ over chosen experts of weight · output
};

// The residual stream and BlockScratch for up to n_rows rows of a model's
// widths: what every forward pass (Session, the batched runtime) allocates.
class ForwardBuffers {
 public:
  ForwardBuffers() = default;
  ForwardBuffers(const ModelHparams& hp, int64_t n_rows);

  float* x() { return x_.as<float>(); }  // [n_rows, n_embd]
  BlockScratch scratch();

 private:
  AlignedBuffer x_, norm_, q_, attn_, gate_, up_, router_, moe_in_, moe_out_, moe_acc_;
};

// RoPE parameters of the model (rope_factors must outlive the result): of
// its global layers, and of its sliding-window layers (their own base and
// scale, hp.rope_freq_base_swa / rope_freq_scale_swa).
struct LayerRopes {
  kernels::RopeParams global;
  kernels::RopeParams sliding;
};
// A sequence context beyond hp.n_ctx_orig selects the LongRoPE long factors
// where the model has them (as llama.cpp does by its context size).
kernels::RopeParams RopeParamsFor(const ModelHparams& hp, const ModelWeights& weights, int64_t context_length = 0);
LayerRopes LayerRopesFor(const ModelHparams& hp, const ModelWeights& weights, int64_t context_length = 0);

// How layer `layer` attends: heads, scale (hp.attn_scale or 1/sqrt(head_dim)),
// soft-cap and, on sliding-window layers, the window.
kernels::AttentionShape AttentionShapeFor(const ModelHparams& hp, int64_t layer);

// Where one step's keys and values are kept and how attention reads them.
// Rows are those of the current LayerContext, in order.
class KvSink {
 public:
  struct Rows {
    float* k;  // [n_rows, kv_dim]
    float* v;  // [n_rows, kv_dim]
  };

  virtual ~KvSink() = default;
  // Where AttentionBlock writes this step's keys (after RoPE) and values for
  // `layer`; valid until Attend for that layer returns.
  virtual Rows KvRows(int64_t layer) = 0;
  // Keeps the rows written to KvRows(layer), then writes out[n_rows, q_dim] =
  // causal attention of each q row over its sequence's keys and values up to
  // and including its own position.
  virtual void Attend(int64_t layer, const float* q, float* out, ThreadPool& pool) = 0;
};

struct LayerContext {
  const ModelHparams& hp;
  const LayerWeights& weights;
  const kernels::RopeParams& rope;  // this layer's (global or sliding)
  bool apply_rope;                   // false: the layer has no RoPE (exaone4's global layers)
  int64_t layer_idx;
  int64_t n_tokens;          // rows in this batch
  const int32_t* positions;  // [n_tokens] position of each row in its sequence
  float* x;                  // [n_tokens, n_embd] residual stream
  // The block's input norm on entry, the next block's on exit (see below).
  BlockScratch& scratch;
  // RMSNorm weight of the block after this layer's last one (the next layer's
  // attn_norm), or nullptr after the last layer.
  const std::vector<float>* next_norm;
  KvSink& kv;
  ThreadPool& pool;
};

// x [n_rows, n_embd] (embedded tokens) through every layer: the first
// layer's input norm, then forward_layer per layer with the next layer's norm
// fused in. Leaves the residual stream in x; scratch.norm is then stale (the
// output head normalizes itself).
void RunLayers(const ModelHparams& hp, const ModelWeights& w, void (*forward_layer)(const LayerContext&),
               const LayerRopes& ropes, int64_t n_rows, const int32_t* positions, float* x,
               BlockScratch& scratch, KvSink& kv, ThreadPool& pool);

// Blocks chain through scratch.norm: each expects RMSNorm(x)·<its norm weight>
// there on entry and leaves the next block's input there on exit. The first
// layer's input comes from NormRows(x, layers[0].attn_norm).

// x += PostNorm(Wo · Attention(RoPE(Wq·n + bq), RoPE(Wk·n + bk), Wv·n + bv)),
// n = RMSNorm(x)·attn_norm (n = x when attn_norm is empty), PostNorm =
// RMSNorm·attn_post_norm when that is present (gemma), else identity.
// With QK-norm weights (qwen3, gemma3), each head of the projected Q and K
// rows is RMS-normalized by its weight before RoPE.
// Leaves RMSNorm(x)·ffn_norm (or x) in scratch.norm.
void AttentionBlock(const LayerContext& ctx);

// x += PostNorm(Wdown · (Act(Wgate·n) ⊙ Wup·n)), n = RMSNorm(x)·ffn_norm,
// Act = SiLU or GELU (hp.ffn_activation), PostNorm by ffn_post_norm.
// Leaves RMSNorm(x)·(*next_norm) in scratch.norm unless next_norm is null.
void FeedForwardBlock(const LayerContext& ctx);

// The steps blocks share. AddResidualAndNorm ends a block, row-parallel:
// y = RMSNorm(y) · post_norm when that is non-empty, x += y ([n_rows, n_embd]
// each), then scratch.norm = RMSNorm(x) · norm_weight (a copy of x when
// empty) unless norm_weight is null. y may be scratch.norm.
void AddResidualAndNorm(const LayerContext& ctx, float* y, const std::vector<float>& post_norm,
                        const std::vector<float>* norm_weight);
// gate[r] = Act(gate[r]) ⊙ up[r] (Act by hp.ffn_activation) for n_rows rows
// of `width` floats, row-parallel.
void GatedActivation(const ModelHparams& hp, float* gate, const float* up, int64_t n_rows, int64_t width,
                     ThreadPool& pool);

// The mixture-of-experts FFN (hp.n_expert > 0): the router's softmax over
// experts per row, its top hp.n_expert_used (renormalized when
// hp.norm_expert_weights), and x += Σ weight · Expert_e(n) plus the shared
// expert where there is one. Rows are grouped by expert, so each chosen
// expert's weights are read once per call for all the rows routed to it;
// experts no row chose are not touched. Same exit contract as FeedForwardBlock.
void MoeFeedForwardBlock(const LayerContext& ctx);

// The router's choice for one row: the indices of the `k` largest of
// probs[n] (ties to the lower index), in decreasing order, and their weights
// (renormalized to sum 1 when `normalize`).
void TopExperts(const float* probs, int64_t n, int64_t k, bool normalize, int32_t* experts, float* weights);

// The pre-norm layer of llama-shaped models: AttentionBlock, then
// FeedForwardBlock (biases and the RoPE layout come from the weights and hp).
void PreNormLayer(const LayerContext& ctx);

// QK-norm: each of the n_heads heads (head_dim floats) of each of n_rows
// rows of `rows` [n_rows, n_heads · head_dim] becomes RMSNorm(head) · weight,
// in place; weight is [head_dim].
void NormHeads(float* rows, int64_t n_rows, int64_t n_heads, int64_t head_dim, const std::vector<float>& weight,
               float eps, ThreadPool& pool);

// out[r] = RMSNorm(x[r]) · weight for each of n_rows rows of hp.n_embd
// floats (a copy of x when weight is empty).
void NormRows(const ModelHparams& hp, const float* x, const std::vector<float>& weight, int64_t n_rows, float* out,
              ThreadPool& pool);

// x[i] = token_embd row of tokens[i] (dequantized) · hp.embd_scale when
// that is set, [tokens.size(), n_embd].
// Token ids must be in the vocabulary (callers validate).
void EmbedTokens(const ModelHparams& hp, const ModelWeights& weights, std::span<const TokenId> tokens, float* x);

// logits[i] = output · (RMSNorm(x[rows[i]]) · output_norm), [rows.size(), n_vocab],
// soft-capped when hp.final_softcap is set.
// `norm` is scratch of at least rows.size() * n_embd floats.
void OutputHead(const ModelHparams& hp, const ModelWeights& weights, const float* x, std::span<const int64_t> rows,
                float* norm, float* logits, ThreadPool& pool);

}  // namespace fab::model
