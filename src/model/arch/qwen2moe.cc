// The `qwen2moe` architecture (Qwen1.5-MoE-A2.7B, Qwen2-57B-A14B): qwen2's
// attention (biases on Q, K and V, NeoX RoPE) and a mixture-of-experts FFN
// whose routed experts' weights are the router's softmax, not renormalized
// over the chosen ones, plus a shared expert every token runs, gated by
// sigmoid(ffn_gate_inp_shexp · x). As llama.cpp reads these files, the
// shared expert's width defaults to feed_forward_length when
// expert_shared_feed_forward_length is absent.
#include "model/arch_spec.h"

namespace fab::model {
namespace {

constexpr char kName[] = "qwen2moe";

StatusOr<ModelHparams> ReadQwen2MoeHparams(const GgufFile& gguf, const HparamLimits& limits) {
  FAB_ASSIGN_OR_RETURN(ModelHparams hp, ReadCommonHparams(gguf, kName, limits));
  hp.rope_style = kernels::RopeStyle::kNeox;
  hp.has_qkv_bias = true;
  FAB_RETURN_IF_ERROR(ReadExpertCounts(gguf, kName, limits, hp));
  if (hp.n_ff_shared == 0) hp.n_ff_shared = hp.n_ff;
  hp.norm_expert_weights = false;
  return hp;
}

Status BindQwen2MoeLayer(const GgufFile& gguf, const ModelHparams& hp, int64_t layer_idx, LayerWeights& layer) {
  FAB_RETURN_IF_ERROR(BindAttention(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindQkvBiases(gguf, hp, layer_idx, layer));
  FAB_RETURN_IF_ERROR(BindExpertFeedForward(gguf, hp, layer_idx, layer));
  if (layer.ffn_gate_inp_shexp.data == nullptr) {
    return NotFoundError("tensor 'blk." + std::to_string(layer_idx) + ".ffn_gate_inp_shexp.weight' is missing");
  }
  return OkStatus();
}

StatusOr<ModelWeights> BindQwen2MoeWeights(const GgufFile& gguf, ModelHparams& hp) {
  return BindWeightsLayerByLayer(gguf, hp, &BindQwen2MoeLayer);
}

void Qwen2MoeLayer(const LayerContext& ctx) {
  AttentionBlock(ctx);
  MoeFeedForwardBlock(ctx);
}

}  // namespace

const ArchSpec& Qwen2MoeArch() {
  static const ArchSpec spec{kName, &ReadQwen2MoeHparams, &BindQwen2MoeWeights, &Qwen2MoeLayer};
  return spec;
}

}  // namespace fab::model
