// The `phi3` architecture (Phi-3 / Phi-3.5 / Phi-4 mini): llama's pre-norm
// block with NeoX RoPE, Q/K/V fused into one attn_qkv matrix (or separate,
// where a file has them) and the gate and up projections fused into one
// ffn_up matrix of 2·n_ff rows (gate first), both bound as row slices of the
// fused tensor. LongRoPE (128k models): rope_factors_short / _long, the long
// ones used when the sequence context exceeds rope.scaling.original_context_length,
// and rope.scaling.attn_factor scaling the rotated queries and keys (folded
// into the attention scale; it needs every dimension rotated). As in
// llama.cpp, attention.sliding_window is read but not applied.
#include <cmath>

#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "phi3";

StatusOr<ModelHparams> ReadPhi3Hparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  const std::string orig_key = "phi3.rope.scaling.original_context_length";
  if (gguf.Find(orig_key) != nullptr) {
    FAB_ASSIGN_OR_RETURN(hp.n_ctx_orig, gguf.GetInt(orig_key));
    if (hp.n_ctx_orig < 1 || hp.n_ctx_orig > limits.max_ctx) {
      return InvalidArgumentError(orig_key + " = " + std::to_string(hp.n_ctx_orig) + " is out of range");
    }
  } else {
    hp.n_ctx_orig = hp.n_ctx_train;
  }
  const std::string factor_key = "phi3.rope.scaling.attn_factor";
  FAB_ASSIGN_OR_RETURN(const float attn_factor, ReadOptionalPositive(gguf, factor_key, 1.0f));
  if (attn_factor != 1.0f && hp.n_rot != hp.head_dim) {
    return UnimplementedError(factor_key + " with partial rotary dimensions (rope.dimension_count " +
                              std::to_string(hp.n_rot) + " < head size " + std::to_string(hp.head_dim) +
                              ") is not supported");
  }
  hp.attn_scale = attn_factor * attn_factor / std::sqrt(static_cast<float>(hp.head_dim));
  return hp;
}

Status BindPhi3Layer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  const std::string p = "blk." + std::to_string(layer_idx) + ".";
  FAB_ASSIGN_OR_RETURN(layer.attn_norm, BindVector(gguf, p + "attn_norm.weight", hp.n_embd));
  if (gguf.FindTensor(p + "attn_qkv.weight") != nullptr) {
    const int64_t rows = hp.q_dim() + 2 * hp.kv_dim();
    FAB_ASSIGN_OR_RETURN(const TensorView qkv,
                         BindMatrix(gguf, p + "attn_qkv.weight", {.rows = rows, .cols = hp.n_embd}));
    layer.wq = RowSlice(qkv, 0, hp.q_dim());
    layer.wk = RowSlice(qkv, hp.q_dim(), hp.kv_dim());
    layer.wv = RowSlice(qkv, hp.q_dim() + hp.kv_dim(), hp.kv_dim());
    FAB_ASSIGN_OR_RETURN(layer.wo,
                         BindMatrix(gguf, p + "attn_output.weight", {.rows = hp.n_embd, .cols = hp.q_dim()}));
  } else {
    FAB_RETURN_IF_ERROR(BindAttentionProjections(gguf, hp, layer_idx, layer));
  }
  FAB_ASSIGN_OR_RETURN(layer.ffn_norm, BindVector(gguf, p + "ffn_norm.weight", hp.n_embd));
  FAB_ASSIGN_OR_RETURN(const TensorView gate_up,
                       BindMatrix(gguf, p + "ffn_up.weight", {.rows = 2 * hp.n_ff, .cols = hp.n_embd}));
  layer.w_gate = RowSlice(gate_up, 0, hp.n_ff);
  layer.w_up = RowSlice(gate_up, hp.n_ff, hp.n_ff);
  FAB_ASSIGN_OR_RETURN(layer.w_down, BindMatrix(gguf, p + "ffn_down.weight", {.rows = hp.n_embd, .cols = hp.n_ff}));
  return OkStatus();
}

StatusOr<ModelWeights> BindPhi3Weights(const GgufFile& gguf, ModelHparams& hp) {
  FAB_ASSIGN_OR_RETURN(ModelWeights weights, BindWeightsLayerByLayer(gguf, hp, &BindPhi3Layer));
  const bool has_short = gguf.FindTensor("rope_factors_short.weight") != nullptr;
  const bool has_long = gguf.FindTensor("rope_factors_long.weight") != nullptr;
  if (has_short != has_long) {
    return InvalidArgumentError("LongRoPE needs both rope_factors_short.weight and rope_factors_long.weight");
  }
  if (has_short) {
    if (!weights.rope_factors.empty()) {
      return InvalidArgumentError("rope_freqs.weight and LongRoPE factors cannot both be present");
    }
    FAB_ASSIGN_OR_RETURN(weights.rope_factors, BindVector(gguf, "rope_factors_short.weight", hp.n_rot / 2));
    FAB_ASSIGN_OR_RETURN(weights.rope_factors_long, BindVector(gguf, "rope_factors_long.weight", hp.n_rot / 2));
  }
  return weights;
}

}  // namespace

const ArchSpec& Phi3Arch() {
  static const ArchSpec spec{kName, &ReadPhi3Hparams, &BindPhi3Weights, &PreNormLayer};
  return spec;
}

}  // namespace fab::model
