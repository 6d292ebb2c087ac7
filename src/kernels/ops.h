// Float32 element-wise and attention ops used by the model blocks. Each is a
// thin front over ActiveKernels().floats; overloads taking a KernelTable let
// tests compare each ISA variant with its scalar twin.
#pragma once

#include <cstdint>

#include "kernels/dispatch.h"
#include "platform/thread_pool.h"

namespace fab::kernels {

// out[i] = x[i] / sqrt(mean(x²) + eps) * weight[i]; out may alias x.
void RmsNorm(const float* x, const float* weight, int64_t n, float eps, float* out);

enum class RopeStyle {
  kNormal,  // llama: rotates adjacent pairs (x[2i], x[2i+1])
  kNeox,    // qwen2/neox: rotates (x[i], x[i + n_rot/2])
};

struct RopeParams {
  int head_dim = 0;
  int n_rot = 0;                        // dims rotated per head (≤ head_dim, even)
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;              // linear position scaling
  const float* freq_factors = nullptr;  // [n_rot / 2] divisors (Llama-3 rope_freqs) or null
  RopeStyle style = RopeStyle::kNormal;
};

// x: [n_tokens, n_heads, head_dim]; token t is at positions[t].
void RopeInplace(float* x, int64_t n_tokens, int n_heads, const int32_t* positions, const RopeParams& params);

// x[0..n) = softmax(x), numerically stable (max subtracted).
void SoftmaxInplace(float* x, int64_t n);

// out[i] = silu(gate[i]) * up[i]; out may alias gate or up.
void SwiGlu(const float* gate, const float* up, int64_t n, float* out);

// Causal attention with grouped-query heads over one sequence's contiguous
// float32 KV cache.
//   q:        [n_tokens, n_head, head_dim]
//   k_cache:  [n_ctx, n_head_kv, head_dim], rows 0 .. pos0 + n_tokens - 1 valid
//   v_cache:  same layout as k_cache
//   out:      [n_tokens, n_head, head_dim]
// Query token t sits at position pos0 + t and attends to cache rows
// [0, pos0 + t]. Query head h reads KV head h / (n_head / n_head_kv).
struct AttentionShape {
  int n_head = 0;
  int n_head_kv = 0;
  int head_dim = 0;
  float scale = 0.0f;  // usually 1 / sqrt(head_dim)
};
void AttentionCausal(const float* q, int64_t n_tokens, int64_t pos0, const float* k_cache, const float* v_cache,
                     const AttentionShape& shape, float* out, ThreadPool& pool);

}  // namespace fab::kernels
