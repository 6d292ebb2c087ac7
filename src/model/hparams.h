// ModelHparams: the shape of a transformer, read from GGUF metadata
// (`<arch>.embedding_length`, ...) and validated against caps so that no
// file can make us allocate absurd buffers. Plain data, copyable.
// Each architecture's ArchSpec::read_hparams (model/arch/<name>.cc) builds
// them from the shared reader below and sets what the architecture fixes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "gguf/gguf_file.h"
#include "kernels/ops.h"

namespace fab::model {

// The gate activation of the feed-forward block: SiLU (SwiGLU) or GELU
// with ggml's tanh approximation (GeGLU, gemma).
enum class FeedForwardActivation { kSilu, kGelu };

struct ModelHparams {
  std::string arch;          // "llama", "qwen2"
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t n_ff = 0;
  int64_t head_dim = 0;      // n_embd / n_head unless key_length says otherwise
  int64_t n_rot = 0;         // rotated dims per head
  int64_t n_ctx_train = 0;
  float rms_eps = 1e-5f;
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;
  int64_t n_ctx_orig = 0;  // rope.scaling.original_context_length (LongRoPE), else 0
  // Fixed by the architecture, not read from the file.
  kernels::RopeStyle rope_style = kernels::RopeStyle::kNormal;
  bool has_qkv_bias = false;
  FeedForwardActivation ffn_activation = FeedForwardActivation::kSilu;

  // Attention and output variants (0 = off / the default).
  float attn_scale = 0.0f;     // scale of q·k; 0: 1 / sqrt(head_dim)
  float attn_softcap = 0.0f;   // scores become cap · tanh(score / cap) (gemma2)
  float final_softcap = 0.0f;  // logits become cap · tanh(logit / cap) (gemma2)
  float embd_scale = 0.0f;     // embedded tokens are multiplied by it (gemma: sqrt(n_embd))
  // Sliding-window attention: layer l attends only the last sliding_window
  // positions when sliding_layers[l] != 0 (empty: no sliding layers). Those
  // layers use their own RoPE base and scale; with rope_on_global_layers
  // false (exaone4) the other layers have no RoPE at all.
  int64_t sliding_window = 0;
  std::vector<uint8_t> sliding_layers;  // [n_layer] or empty
  float rope_freq_base_swa = 10000.0f;
  float rope_freq_scale_swa = 1.0f;
  bool rope_on_global_layers = true;

  // Mixture of experts (qwen3moe): each token's FFN is the weighted sum of
  // the n_expert_used experts its router ranks highest, out of n_expert; the
  // weights are the router's softmax, renormalized over the chosen experts
  // when norm_expert_weights. n_ff_shared > 0: a shared expert of that width
  // runs for every token, gated by sigmoid(ffn_gate_inp_shexp · x).
  int64_t n_expert = 0;
  int64_t n_expert_used = 0;
  int64_t n_ff_expert = 0;
  int64_t n_ff_shared = 0;
  bool norm_expert_weights = false;

  int64_t q_dim() const { return n_head * head_dim; }
  int64_t kv_dim() const { return n_head_kv * head_dim; }
  bool IsSlidingLayer(int64_t layer) const {
    return layer < static_cast<int64_t>(sliding_layers.size()) && sliding_layers[layer] != 0;
  }
  bool has_sliding_layers() const { return sliding_window > 0 && !sliding_layers.empty(); }
  // Every layer slides (llama with attention.sliding_window): a sequence's
  // KV blocks before its window can be released.
  bool AllLayersSlide() const {
    if (!has_sliding_layers()) return false;
    for (uint8_t sliding : sliding_layers) {
      if (sliding == 0) return false;
    }
    return true;
  }
};

// Caps on shapes we accept from a file (larger than any released model).
struct HparamLimits {
  int64_t max_embd = 1 << 16;
  int64_t max_layers = 1024;
  int64_t max_heads = 1024;
  int64_t max_ff = 1 << 18;
  int64_t max_vocab = 1 << 20;
  int64_t max_ctx = 1 << 22;
  int64_t max_experts = 1 << 10;
};

// Reads and validates the `<arch>.*` keys that llama-shaped architectures
// share (widths, head counts and sizes, context, RMS epsilon, RoPE base and
// linear scaling) against `limits`, with defaults for the optional
// ones. Leaves rope_style and has_qkv_bias at their defaults (the
// architecture sets them) and n_vocab at 0 (weight binding sets it).
StatusOr<ModelHparams> ReadCommonHparams(const GgufFile& gguf, const std::string& arch,
                                         const HparamLimits& limits = {});

// Sliding-window layers as llama.cpp lays them out: `<arch>.attention.
// sliding_window` (default_window when absent; 0 or absent with no default:
// none) and `<arch>.attention.sliding_window_pattern` P (default_period):
// layer l slides when l % P < P - 1 (P = 0: every layer slides; P = 1: none). Also
// reads `<arch>.rope.freq_base_swa` (default: swa_base_default, or the global
// base when that is 0). A window the file sets must not exceed the training
// context.
Status ReadSlidingWindow(const GgufFile& gguf, const std::string& arch, int64_t default_window,
                         int64_t default_period, float swa_base_default, ModelHparams& hp);

// Optional float key: fallback when absent; must be finite and > 0.
StatusOr<float> ReadOptionalPositive(const GgufFile& gguf, const std::string& key, float fallback);

// Mixture-of-experts counts: `<arch>.expert_count` (1..max_experts),
// `<arch>.expert_used_count` (1..expert_count), `<arch>.expert_feed_forward_length`
// (default: feed_forward_length / expert_used_count) and, when present,
// `<arch>.expert_shared_feed_forward_length`.
Status ReadExpertCounts(const GgufFile& gguf, const std::string& arch, const HparamLimits& limits,
                        ModelHparams& hp);

}  // namespace fab::model
