// The `qwen2` architecture (Qwen 1.5 / 2 / 2.5): llama's block with biases on
// the Q, K and V projections and NeoX-style RoPE (rotating the two halves of
// each head).
#include "model/arch_spec.h"

namespace fab::model {
namespace {

void Qwen2Layer(const LayerContext& ctx) {
  AttentionBlock(ctx);
  FeedForwardBlock(ctx);
}

}  // namespace

const ArchSpec& Qwen2Arch() {
  static const ArchSpec spec{"qwen2", kernels::RopeStyle::kNeox, /*has_qkv_bias=*/true, &Qwen2Layer};
  return spec;
}

}  // namespace fab::model
