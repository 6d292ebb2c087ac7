// The `gemma3` architecture (Gemma 3 text models): gemma2's block with
// QK-norm (attn_q_norm / attn_k_norm per head before RoPE) and without
// attention soft-capping; logits soft-capped only where final_logit_softcapping
// is set. Sliding-window layers (where attention.sliding_window is set;
// pattern 6: five sliding, then one global) use their own RoPE base
// (rope.freq_base_swa, default 10000) and no scaling; global layers use
// rope.freq_base and the file's linear RoPE scaling.
#include <cmath>

#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "gemma3";
constexpr int64_t kDefaultPeriod = 6;
constexpr float kDefaultSlidingBase = 10000.0f;
constexpr int64_t kLayersOf27B = 62;  // scales queries by n_embd / n_head, not head_dim

StatusOr<ModelHparams> ReadGemma3Hparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  hp.ffn_activation = FeedForwardActivation::kGelu;
  hp.embd_scale = std::sqrt(static_cast<float>(hp.n_embd));
  if (gguf.Find("gemma3.final_logit_softcapping") != nullptr) {
    FAB_ASSIGN_OR_RETURN(hp.final_softcap, ReadOptionalPositive(gguf, "gemma3.final_logit_softcapping", 0.0f));
  }
  FAB_RETURN_IF_ERROR(ReadSlidingWindow(gguf, kName, 0, kDefaultPeriod, kDefaultSlidingBase, hp));
  const int64_t query_width = hp.n_layer == kLayersOf27B ? hp.n_embd / hp.n_head : hp.head_dim;
  hp.attn_scale = 1.0f / std::sqrt(static_cast<float>(query_width));
  return hp;
}

Status BindGemma3Layer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindQkNorms(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindPostNorms(gguf, hp, layer_idx, layer));
  return BindGatedFeedForward(gguf, hp, layer_idx, layer);
}

StatusOr<ModelWeights> BindGemma3Weights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindGemma3Layer);
}

}  // namespace

const ArchSpec& Gemma3Arch() {
  static const ArchSpec spec{kName, &ReadGemma3Hparams, &BindGemma3Weights, &PreNormLayer};
  return spec;
}

}  // namespace fab::model
