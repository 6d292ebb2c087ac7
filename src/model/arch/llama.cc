// The `llama` architecture: Llama 2/3, Mistral, TinyLlama, Solar and other
// llama-shaped models. Pre-norm blocks, RMSNorm, RoPE on adjacent pairs, GQA,
// SwiGLU feed-forward, no biases; tied embeddings when output.weight is absent
// and Llama-3 rope_freqs are handled by weight binding.
#include "model/arch_spec.h"

namespace fab::model {
namespace {

void LlamaLayer(const LayerContext& ctx) {
  AttentionBlock(ctx);
  FeedForwardBlock(ctx);
}

}  // namespace

const ArchSpec& LlamaArch() {
  static const ArchSpec spec{"llama", kernels::RopeStyle::kNormal, /*has_qkv_bias=*/false, &LlamaLayer};
  return spec;
}

}  // namespace fab::model
