// The `llama` architecture: Llama 2/3, Mistral, TinyLlama, Solar and other
// llama-shaped models. Pre-norm blocks, RMSNorm, RoPE on adjacent pairs, GQA,
// SwiGLU feed-forward, no biases; tied embeddings when output.weight is absent
// and Llama-3 rope_freqs (both bound by BindEmbeddingsAndOutput).
#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "llama";

StatusOr<ModelHparams> ReadLlamaHparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNormal;
  hp.has_qkv_bias = false;
  return hp;
}

Status BindLlamaLayer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  return BindSwiGluFeedForward(gguf, hp, layer_idx, layer);
}

StatusOr<ModelWeights> BindLlamaWeights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindLlamaLayer);
}

}  // namespace

const ArchSpec& LlamaArch() {
  static const ArchSpec spec{kName, &ReadLlamaHparams, &BindLlamaWeights, &PreNormLayer};
  return spec;
}

}  // namespace fab::model
