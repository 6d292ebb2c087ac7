#include "model/blocks.h"

#include <cmath>

#include "kernels/matmul.h"

namespace fab::model {
namespace {

void NormRows(const float* x, const std::vector<float>& weight, int64_t n_tokens, int64_t n_embd, float eps,
              float* out) {
  for (int64_t t = 0; t < n_tokens; ++t) {
    kernels::RmsNorm(x + t * n_embd, weight.data(), n_embd, eps, out + t * n_embd);
  }
}

void AddBias(float* rows, const std::vector<float>& bias, int64_t n_tokens) {
  if (bias.empty()) return;
  const int64_t n = static_cast<int64_t>(bias.size());
  for (int64_t t = 0; t < n_tokens; ++t) {
    float* row = rows + t * n;
    for (int64_t i = 0; i < n; ++i) row[i] += bias[i];
  }
}

// x += y, both [n] (n = n_tokens * n_embd).
void AddInPlace(float* x, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] += y[i];
}

}  // namespace

void AttentionBlock(const LayerContext& ctx) {
  const ModelHparams& hp = ctx.hp;
  const LayerWeights& w = ctx.weights;
  const int64_t n = ctx.n_tokens;
  float* norm = ctx.scratch.norm;
  NormRows(ctx.x, w.attn_norm, n, hp.n_embd, hp.rms_eps, norm);

  // Keys and values go straight into this layer's cache rows [pos0, pos0 + n).
  float* k_rows = ctx.cache.k(ctx.layer_idx) + ctx.pos0 * hp.kv_dim();
  float* v_rows = ctx.cache.v(ctx.layer_idx) + ctx.pos0 * hp.kv_dim();
  kernels::MatMul(w.wq, norm, n, ctx.scratch.q, ctx.pool);
  kernels::MatMul(w.wk, norm, n, k_rows, ctx.pool);
  kernels::MatMul(w.wv, norm, n, v_rows, ctx.pool);
  AddBias(ctx.scratch.q, w.bq, n);
  AddBias(k_rows, w.bk, n);
  AddBias(v_rows, w.bv, n);
  kernels::RopeInplace(ctx.scratch.q, n, static_cast<int>(hp.n_head), ctx.positions, ctx.rope);
  kernels::RopeInplace(k_rows, n, static_cast<int>(hp.n_head_kv), ctx.positions, ctx.rope);

  kernels::AttentionShape shape;
  shape.n_head = static_cast<int>(hp.n_head);
  shape.n_head_kv = static_cast<int>(hp.n_head_kv);
  shape.head_dim = static_cast<int>(hp.head_dim);
  shape.scale = 1.0f / std::sqrt(static_cast<float>(hp.head_dim));
  kernels::AttentionCausal(ctx.scratch.q, n, ctx.pos0, ctx.cache.k(ctx.layer_idx), ctx.cache.v(ctx.layer_idx), shape,
                           ctx.scratch.attn, ctx.pool);
  kernels::MatMul(w.wo, ctx.scratch.attn, n, norm, ctx.pool);
  AddInPlace(ctx.x, norm, n * hp.n_embd);
}

void FeedForwardBlock(const LayerContext& ctx) {
  const ModelHparams& hp = ctx.hp;
  const LayerWeights& w = ctx.weights;
  const int64_t n = ctx.n_tokens;
  float* norm = ctx.scratch.norm;
  NormRows(ctx.x, w.ffn_norm, n, hp.n_embd, hp.rms_eps, norm);
  kernels::MatMul(w.w_gate, norm, n, ctx.scratch.gate, ctx.pool);
  kernels::MatMul(w.w_up, norm, n, ctx.scratch.up, ctx.pool);
  kernels::SwiGlu(ctx.scratch.gate, ctx.scratch.up, n * hp.n_ff, ctx.scratch.gate);
  kernels::MatMul(w.w_down, ctx.scratch.gate, n, norm, ctx.pool);
  AddInPlace(ctx.x, norm, n * hp.n_embd);
}

}  // namespace fab::model
