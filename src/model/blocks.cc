#include "model/blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/matmul.h"
#include "kernels/quantize.h"

namespace fab::model {

namespace {
size_t FloatCount(int64_t n) { return static_cast<size_t>(n) * sizeof(float); }
}  // namespace

namespace {
// Rows of gate / up: n_rows for dense and shared FFNs, every routed row
// (n_rows · n_expert_used) for the experts.
int64_t FfnFloats(const ModelHparams& hp, int64_t n_rows) {
  return std::max({n_rows * hp.n_ff, n_rows * hp.n_ff_shared, n_rows * hp.n_expert_used * hp.n_ff_expert});
}
int64_t MoeRows(const ModelHparams& hp, int64_t n_rows) { return hp.n_expert > 0 ? n_rows : 0; }
int64_t RoutedRows(const ModelHparams& hp, int64_t n_rows) { return hp.n_expert > 0 ? n_rows * hp.n_expert_used : 0; }
}  // namespace

ForwardBuffers::ForwardBuffers(const ModelHparams& hp, int64_t n_rows)
    : x_(FloatCount(n_rows * hp.n_embd)),
      norm_(FloatCount(n_rows * hp.n_embd)),
      q_(FloatCount(n_rows * hp.q_dim())),
      attn_(FloatCount(n_rows * hp.q_dim())),
      gate_(FloatCount(FfnFloats(hp, n_rows))),
      up_(FloatCount(FfnFloats(hp, n_rows))),
      router_(FloatCount(MoeRows(hp, n_rows) * hp.n_expert)),
      moe_in_(FloatCount(RoutedRows(hp, n_rows) * hp.n_embd)),
      moe_out_(FloatCount(RoutedRows(hp, n_rows) * hp.n_embd)),
      moe_acc_(FloatCount(MoeRows(hp, n_rows) * hp.n_embd)) {}

BlockScratch ForwardBuffers::scratch() {
  return BlockScratch{norm_.as<float>(),   q_.as<float>(),      attn_.as<float>(),
                      gate_.as<float>(),   up_.as<float>(),     router_.as<float>(),
                      moe_in_.as<float>(), moe_out_.as<float>(), moe_acc_.as<float>()};
}

void RunLayers(const ModelHparams& hp, const ModelWeights& w, void (*forward_layer)(const LayerContext&),
               const LayerRopes& ropes, int64_t n_rows, const int32_t* positions, float* x,
               BlockScratch& scratch, KvSink& kv, ThreadPool& pool) {
  NormRows(hp, x, w.layers[0].attn_norm, n_rows, scratch.norm, pool);
  for (int64_t layer_idx = 0; layer_idx < hp.n_layer; ++layer_idx) {
    const std::vector<float>* next_norm = layer_idx + 1 < hp.n_layer ? &w.layers[layer_idx + 1].attn_norm : nullptr;
    const bool sliding = hp.IsSlidingLayer(layer_idx);
    const bool apply_rope = sliding || hp.rope_on_global_layers || !hp.has_sliding_layers();
    const LayerContext ctx{hp,       w.layers[layer_idx], sliding ? ropes.sliding : ropes.global,
                           apply_rope, layer_idx,         n_rows,
                           positions, x,                  scratch,
                           next_norm, kv,                 pool};
    forward_layer(ctx);
  }
}

kernels::RopeParams RopeParamsFor(const ModelHparams& hp, const ModelWeights& weights, int64_t context_length) {
  kernels::RopeParams rope;
  rope.head_dim = static_cast<int>(hp.head_dim);
  rope.n_rot = static_cast<int>(hp.n_rot);
  rope.freq_base = hp.rope_freq_base;
  rope.freq_scale = hp.rope_freq_scale;
  const bool long_context = !weights.rope_factors_long.empty() && context_length > hp.n_ctx_orig;
  const std::vector<float>& factors = long_context ? weights.rope_factors_long : weights.rope_factors;
  rope.freq_factors = factors.empty() ? nullptr : factors.data();
  rope.style = hp.rope_style;
  return rope;
}

LayerRopes LayerRopesFor(const ModelHparams& hp, const ModelWeights& weights, int64_t context_length) {
  LayerRopes ropes{RopeParamsFor(hp, weights, context_length), RopeParamsFor(hp, weights, context_length)};
  if (hp.has_sliding_layers()) {
    ropes.sliding.freq_base = hp.rope_freq_base_swa;
    ropes.sliding.freq_scale = hp.rope_freq_scale_swa;
  }
  return ropes;
}

kernels::AttentionShape AttentionShapeFor(const ModelHparams& hp, int64_t layer) {
  kernels::AttentionShape shape;
  shape.n_head = static_cast<int>(hp.n_head);
  shape.n_head_kv = static_cast<int>(hp.n_head_kv);
  shape.head_dim = static_cast<int>(hp.head_dim);
  shape.scale = hp.attn_scale > 0.0f ? hp.attn_scale : 1.0f / std::sqrt(static_cast<float>(hp.head_dim));
  shape.softcap = hp.attn_softcap;
  shape.window = hp.IsSlidingLayer(layer) ? hp.sliding_window : 0;
  return shape;
}

namespace {

// Rows per parallel part of the row-wise passes below: a row of n_embd
// floats is a microsecond of work, so fewer rows are not worth a thread wake.
constexpr int64_t kRowsPerPart = 4;

void AddBias(float* rows, const std::vector<float>& bias, int64_t n_rows) {
  if (bias.empty()) return;
  const int64_t width = static_cast<int64_t>(bias.size());
  for (int64_t row = 0; row < n_rows; ++row) {
    for (int64_t i = 0; i < width; ++i) rows[row * width + i] += bias[i];
  }
}

// out = RMSNorm(in) · weight, or a copy of in when weight is empty (a block
// without an input norm); out may alias in.
void NormOrCopy(const float* in, const std::vector<float>& weight, int64_t width, float eps, float* out) {
  if (weight.empty()) {
    if (out != in) std::memcpy(out, in, static_cast<size_t>(width) * sizeof(float));
    return;
  }
  kernels::RmsNorm(in, weight.data(), width, eps, out);
}

}  // namespace

void AddResidualAndNorm(const LayerContext& ctx, float* y, const std::vector<float>& post_norm,
                        const std::vector<float>* norm_weight) {
  const int64_t width = ctx.hp.n_embd;
  const float eps = ctx.hp.rms_eps;
  float* x = ctx.x;
  float* norm = ctx.scratch.norm;
  ctx.pool.ParallelFor(ctx.n_tokens, kRowsPerPart, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      float* x_row = x + row * width;
      float* y_row = y + row * width;
      if (!post_norm.empty()) kernels::RmsNorm(y_row, post_norm.data(), width, eps, y_row);
      for (int64_t i = 0; i < width; ++i) x_row[i] += y_row[i];
      if (norm_weight != nullptr) NormOrCopy(x_row, *norm_weight, width, eps, norm + row * width);
    }
  });
}

void GatedActivation(const ModelHparams& hp, float* gate, const float* up, int64_t n_rows, int64_t width,
                     ThreadPool& pool) {
  const bool gelu = hp.ffn_activation == FeedForwardActivation::kGelu;
  pool.ParallelFor(n_rows, kRowsPerPart, [&](int64_t begin, int64_t end) {
    float* g = gate + begin * width;
    const float* u = up + begin * width;
    const int64_t count = (end - begin) * width;
    if (gelu) {
      kernels::GeGlu(g, u, count, g);
    } else {
      kernels::SwiGlu(g, u, count, g);
    }
  });
}

void AttentionBlock(const LayerContext& ctx) {
  const ModelHparams& hp = ctx.hp;
  const LayerWeights& w = ctx.weights;
  const int64_t n = ctx.n_tokens;
  float* norm = ctx.scratch.norm;
  float* q = ctx.scratch.q;
  const KvSink::Rows kv = ctx.kv.KvRows(ctx.layer_idx);
  kernels::MatMul(w.wq, norm, n, q, ctx.pool);
  kernels::MatMul(w.wk, norm, n, kv.k, ctx.pool);
  kernels::MatMul(w.wv, norm, n, kv.v, ctx.pool);
  AddBias(q, w.bq, n);
  AddBias(kv.k, w.bk, n);
  AddBias(kv.v, w.bv, n);
  if (!w.attn_q_norm.empty()) NormHeads(q, n, hp.n_head, hp.head_dim, w.attn_q_norm, hp.rms_eps, ctx.pool);
  if (!w.attn_k_norm.empty()) NormHeads(kv.k, n, hp.n_head_kv, hp.head_dim, w.attn_k_norm, hp.rms_eps, ctx.pool);
  if (ctx.apply_rope) {
    kernels::RopeInplace(q, n, static_cast<int>(hp.n_head), ctx.positions, ctx.rope);
    kernels::RopeInplace(kv.k, n, static_cast<int>(hp.n_head_kv), ctx.positions, ctx.rope);
  }
  ctx.kv.Attend(ctx.layer_idx, q, ctx.scratch.attn, ctx.pool);
  kernels::MatMul(w.wo, ctx.scratch.attn, n, norm, ctx.pool);
  AddResidualAndNorm(ctx, norm, w.attn_post_norm, &w.ffn_norm);
}

void PreNormLayer(const LayerContext& ctx) {
  AttentionBlock(ctx);
  FeedForwardBlock(ctx);
}

void FeedForwardBlock(const LayerContext& ctx) {
  const ModelHparams& hp = ctx.hp;
  const LayerWeights& w = ctx.weights;
  const int64_t n = ctx.n_tokens;
  const int64_t n_ff = hp.n_ff;
  float* norm = ctx.scratch.norm;
  float* gate = ctx.scratch.gate;
  const float* up = ctx.scratch.up;
  kernels::MatMul(w.w_gate, norm, n, gate, ctx.pool);
  kernels::MatMul(w.w_up, norm, n, ctx.scratch.up, ctx.pool);
  GatedActivation(hp, gate, up, n, n_ff, ctx.pool);
  kernels::MatMul(w.w_down, gate, n, norm, ctx.pool);
  AddResidualAndNorm(ctx, norm, w.ffn_post_norm, ctx.next_norm);
}

void NormHeads(float* rows, int64_t n_rows, int64_t n_heads, int64_t head_dim, const std::vector<float>& weight,
               float eps, ThreadPool& pool) {
  pool.ParallelFor(n_rows, kRowsPerPart, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      for (int64_t h = 0; h < n_heads; ++h) {
        float* head = rows + (r * n_heads + h) * head_dim;
        kernels::RmsNorm(head, weight.data(), head_dim, eps, head);
      }
    }
  });
}

void NormRows(const ModelHparams& hp, const float* x, const std::vector<float>& weight, int64_t n_rows, float* out,
              ThreadPool& pool) {
  const int64_t width = hp.n_embd;
  pool.ParallelFor(n_rows, kRowsPerPart, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) NormOrCopy(x + row * width, weight, width, hp.rms_eps, out + row * width);
  });
}

void EmbedTokens(const ModelHparams& hp, const ModelWeights& weights, std::span<const TokenId> tokens, float* x) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    float* row = x + static_cast<int64_t>(i) * hp.n_embd;
    kernels::DequantizeRow(weights.token_embd.dtype, weights.token_embd.row(tokens[i]), row, hp.n_embd);
    if (hp.embd_scale > 0.0f) {
      for (int64_t j = 0; j < hp.n_embd; ++j) row[j] *= hp.embd_scale;
    }
  }
}

void OutputHead(const ModelHparams& hp, const ModelWeights& weights, const float* x, std::span<const int64_t> rows,
                float* norm, float* logits, ThreadPool& pool) {
  if (rows.empty()) return;
  const int64_t n_rows = static_cast<int64_t>(rows.size());
  for (int64_t i = 0; i < n_rows; ++i) {
    kernels::RmsNorm(x + rows[i] * hp.n_embd, weights.output_norm.data(), hp.n_embd, hp.rms_eps,
                     norm + i * hp.n_embd);
  }
  kernels::MatMul(weights.output, norm, n_rows, logits, pool);
  if (hp.final_softcap > 0.0f) kernels::SoftCapInplace(logits, n_rows * hp.n_vocab, hp.final_softcap);
}

}  // namespace fab::model
