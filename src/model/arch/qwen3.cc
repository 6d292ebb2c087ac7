// The `qwen3` architecture (Qwen3 dense models): qwen2's block without the
// Q/K/V biases, with QK-norm — each head of the projected queries and keys
// RMS-normalized by its own [head_dim] weight before RoPE — and NeoX-style
// RoPE. Heads are wider than n_embd / n_head (attention.key_length: 128 on
// Qwen3-0.6B's 1024 wide embedding).
#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "qwen3";

StatusOr<ModelHparams> ReadQwen3Hparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  return hp;
}

// llama's layer tensors plus attn_{q,k}_norm.weight.
Status BindQwen3Layer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindQkNorms(gguf, hp, layer_idx, layer));
  return BindGatedFeedForward(gguf, hp, layer_idx, layer);
}

StatusOr<ModelWeights> BindQwen3Weights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindQwen3Layer);
}

}  // namespace

const ArchSpec& Qwen3Arch() {
  static const ArchSpec spec{kName, &ReadQwen3Hparams, &BindQwen3Weights,
                             // AttentionBlock applies the QK-norm bound above.
                             &PreNormLayer};
  return spec;
}

}  // namespace fab::model
