// The `gemma2` architecture (Gemma 2): pre- and post-norms around attention
// and the GeGLU feed-forward (post_attention_norm, post_ffw_norm), embeddings
// scaled by sqrt(n_embd), attention scores soft-capped at
// attn_logit_softcapping (default 50) and logits at final_logit_softcapping
// (default 30), NeoX RoPE, and sliding-window layers alternating with global
// ones (window 4096, pattern 2: even layers slide, as llama.cpp reads them).
// The norm weights in the file already include Gemma's "+1".
#include <cmath>

#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "gemma2";
constexpr int64_t kDefaultWindow = 4096;
constexpr int64_t kDefaultPeriod = 2;
constexpr int64_t kLayersOf27B = 46;  // scales queries by n_embd / n_head, not head_dim

StatusOr<ModelHparams> ReadGemma2Hparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  hp.ffn_activation = FeedForwardActivation::kGelu;
  hp.embd_scale = std::sqrt(static_cast<float>(hp.n_embd));
  FAB_ASSIGN_OR_RETURN(hp.attn_softcap, ReadOptionalPositive(gguf, "gemma2.attn_logit_softcapping", 50.0f));
  FAB_ASSIGN_OR_RETURN(hp.final_softcap, ReadOptionalPositive(gguf, "gemma2.final_logit_softcapping", 30.0f));
  FAB_RETURN_IF_ERROR(ReadSlidingWindow(gguf, kName, kDefaultWindow, kDefaultPeriod, 0.0f, hp));
  hp.rope_freq_scale_swa = hp.rope_freq_scale;
  const int64_t query_width = hp.n_layer == kLayersOf27B ? hp.n_embd / hp.n_head : hp.head_dim;
  hp.attn_scale = 1.0f / std::sqrt(static_cast<float>(query_width));
  return hp;
}

Status BindGemma2Layer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindPostNorms(gguf, hp, layer_idx, layer));
  return BindGatedFeedForward(gguf, hp, layer_idx, layer);
}

StatusOr<ModelWeights> BindGemma2Weights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindGemma2Layer);
}

}  // namespace

const ArchSpec& Gemma2Arch() {
  // PreNormLayer applies the post-norms and GeGLU that the weights and hparams carry.
  static const ArchSpec spec{kName, &ReadGemma2Hparams, &BindGemma2Weights, &PreNormLayer};
  return spec;
}

}  // namespace fab::model
