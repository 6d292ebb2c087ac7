// The `exaone4` architecture (EXAONE 4.0): post-norm only — no input norms;
// the attention and FFN outputs are RMS-normalized (post_attention_norm,
// post_ffw_norm) before they join the residual stream — with QK-norm and
// NeoX RoPE. As llama.cpp reads these files, the 64-layer (32B) model has
// sliding-window layers (window 4096, pattern 4: three sliding, one global)
// and its global layers take no RoPE; other sizes attend globally everywhere.
#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "exaone4";
constexpr int64_t kLayersWithSlidingWindow = 64;
constexpr int64_t kDefaultWindow = 4096;
constexpr int64_t kDefaultPeriod = 4;

StatusOr<ModelHparams> ReadExaone4Hparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  if (hp.n_layer == kLayersWithSlidingWindow) {
    FAB_RETURN_IF_ERROR(ReadSlidingWindow(gguf, kName, kDefaultWindow, kDefaultPeriod, 0.0f, hp));
    hp.rope_freq_scale_swa = hp.rope_freq_scale;
    hp.rope_on_global_layers = false;
  }
  return hp;
}

Status BindExaone4Layer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttentionProjections(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindQkNorms(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindPostNorms(gguf, hp, layer_idx, layer));
  return BindFeedForwardProjections(gguf, hp, layer_idx, layer);
}

StatusOr<ModelWeights> BindExaone4Weights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindExaone4Layer);
}

}  // namespace

const ArchSpec& Exaone4Arch() {
  // With attn_norm and ffn_norm empty, PreNormLayer's blocks read x as it is.
  static const ArchSpec spec{kName, &ReadExaone4Hparams, &BindExaone4Weights, &PreNormLayer};
  return spec;
}

}  // namespace fab::model
