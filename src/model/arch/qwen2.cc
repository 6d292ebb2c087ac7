// The `qwen2` architecture (Qwen 1.5 / 2 / 2.5): llama's block with biases on
// the Q, K and V projections and NeoX-style RoPE (rotating the two halves of
// each head).
#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "qwen2";

StatusOr<ModelHparams> ReadQwen2Hparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  hp.has_qkv_bias = true;
  return hp;
}

// llama's layer tensors plus attn_{q,k,v}.bias.
Status BindQwen2Layer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindQkvBiases(gguf, hp, layer_idx, layer));
  return BindGatedFeedForward(gguf, hp, layer_idx, layer);
}

StatusOr<ModelWeights> BindQwen2Weights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindQwen2Layer);
}

}  // namespace

const ArchSpec& Qwen2Arch() {
  static const ArchSpec spec{kName, &ReadQwen2Hparams, &BindQwen2Weights,
                             // AttentionBlock adds the biases bound above and rotates
                             // NeoX-style from hp.rope_style: the layer is llama's.
                             &PreNormLayer};
  return spec;
}

}  // namespace fab::model
