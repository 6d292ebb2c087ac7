// The `exaone` architecture (LG's EXAONE 3.0 / 3.5): llama's pre-norm block
// and tensor names with NeoX RoPE (and Llama-3 rope_freqs where present).
#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "exaone";

StatusOr<ModelHparams> ReadExaoneHparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  return hp;
}

Status BindExaoneLayer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  return BindGatedFeedForward(gguf, hp, layer_idx, layer);
}

StatusOr<ModelWeights> BindExaoneWeights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindExaoneLayer);
}

}  // namespace

const ArchSpec& ExaoneArch() {
  static const ArchSpec spec{kName, &ReadExaoneHparams, &BindExaoneWeights, &PreNormLayer};
  return spec;
}

}  // namespace fab::model
