// The `qwen3moe` architecture (Qwen3-30B-A3B, Qwen3-235B-A22B): qwen3's
// attention (QK-norm, NeoX RoPE, no biases) and a mixture-of-experts FFN:
// a router (ffn_gate_inp) whose softmax picks expert_used_count of
// expert_count experts per token, weights renormalized over the chosen ones,
// experts stacked in ffn_{gate,up,down}_exps; a shared expert where the file
// has one (expert_shared_feed_forward_length and ffn_*_shexp).
#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "qwen3moe";

StatusOr<ModelHparams> ReadQwen3MoeHparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  FAB_RETURN_IF_ERROR(ReadExpertCounts(gguf, kName, limits, hp));
  hp.norm_expert_weights = true;
  return hp;
}

Status BindQwen3MoeLayer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindQkNorms(gguf, hp, layer_idx, layer));
  return BindExpertFeedForward(gguf, hp, layer_idx, layer);
}

StatusOr<ModelWeights> BindQwen3MoeWeights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindQwen3MoeLayer);
}

void Qwen3MoeLayer(const LayerContext& ctx) {
  AttentionBlock(ctx);
  MoeFeedForwardBlock(ctx);
}

}  // namespace

const ArchSpec& Qwen3MoeArch() {
  static const ArchSpec spec{kName, &ReadQwen3MoeHparams, &BindQwen3MoeWeights, &Qwen3MoeLayer};
  return spec;
}

}  // namespace fab::model
