// The `llama` architecture: Llama 2/3, Mistral, TinyLlama, Solar, Kanana,
// Mi:dm and other llama-shaped models. Pre-norm blocks, RMSNorm, RoPE on
// adjacent pairs, GQA, SwiGLU feed-forward, no biases; tied embeddings when
// output.weight is absent and Llama-3 rope_freqs (both bound by
// BindEmbeddingsAndOutput). Where llama.attention.sliding_window is set
// (Mistral 7B v0.1) every layer attends within that window; llama.cpp
// ignores the key, so the two agree on prompts shorter than the window.
// Mixture-of-experts llama files (Mixtral) are refused.
#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "llama";

StatusOr<ModelHparams> ReadLlamaHparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNormal;
  hp.has_qkv_bias = false;
  if (gguf.Find("llama.expert_count") != nullptr) {
    return UnimplementedError("llama.expert_count is set: mixture-of-experts llama files (Mixtral) are not supported");
  }
  FAB_RETURN_IF_ERROR(ReadSlidingWindow(gguf, kName, 0, /*default_period=*/0, 0.0f, hp));
  hp.rope_freq_scale_swa = hp.rope_freq_scale;
  return hp;
}

Status BindLlamaLayer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  return BindGatedFeedForward(gguf, hp, layer_idx, layer);
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
