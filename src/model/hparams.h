// ModelHparams: the shape of a transformer, read from GGUF metadata
// (`<arch>.embedding_length`, ...) and validated against caps so that no
// file can make us allocate absurd buffers. Plain data, copyable.
// Each architecture's ArchSpec::read_hparams (model/arch/<name>.cc) builds
// them from the shared reader below and sets what the architecture fixes.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "gguf/gguf_file.h"
#include "kernels/ops.h"

namespace fab::model {

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
  // Fixed by the architecture, not read from the file.
  kernels::RopeStyle rope_style = kernels::RopeStyle::kNormal;
  bool has_qkv_bias = false;

  int64_t q_dim() const { return n_head * head_dim; }
  int64_t kv_dim() const { return n_head_kv * head_dim; }
};

// Caps on shapes we accept from a file (larger than any released model).
struct HparamLimits {
  int64_t max_embd = 1 << 16;
  int64_t max_layers = 1024;
  int64_t max_heads = 1024;
  int64_t max_ff = 1 << 18;
  int64_t max_vocab = 1 << 20;
  int64_t max_ctx = 1 << 22;
};

// Reads and validates the `<arch>.*` keys that llama-shaped architectures
// share (widths, head counts and sizes, context, RMS epsilon, RoPE base and
// linear scaling) against `limits`, with defaults for the optional
// ones. Leaves rope_style and has_qkv_bias at their defaults (the
// architecture sets them) and n_vocab at 0 (weight binding sets it).
StatusOr<ModelHparams> ReadCommonHparams(const GgufFile& gguf, const std::string& arch,
                                         const HparamLimits& limits = {});

}  // namespace fab::model
