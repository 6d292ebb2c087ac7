// Float32 element-wise and attention ops used by the model blocks. Each is a
// thin front over ActiveKernels().floats; overloads taking a KernelTable let
// tests and benchmarks run each ISA variant against its scalar twin.
// Shapes and parameters are programmer contracts (FAB_CHECK), not validated
// input: callers check model hyper-parameters when they load them.
// Thread-safety: reentrant; only AttentionCausal uses the pool.
#pragma once

#include <cstdint>

#include "kernels/dispatch.h"
#include "platform/thread_pool.h"

namespace fab::kernels {

// out[i] = x[i] / sqrt(mean(x²) + eps) * weight[i]; out may alias x. A null
// weight means all ones.
void RmsNorm(const float* x, const float* weight, int64_t n, float eps, float* out);
void RmsNorm(const KernelTable& table, const float* x, const float* weight, int64_t n, float eps, float* out);

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

// Angles as ggml computes them (so logits track llama.cpp): for pair i <
// n_rot/2, theta_i = position · base^(-2i/n_rot) with the power built by
// repeated float multiplication, divided by freq_factors[i], times
// freq_scale; cos[i] = cos(theta_i), sin[i] = sin(theta_i), both [n_rot / 2].
void RopeCosSin(const RopeParams& params, int32_t position, float* cos, float* sin);

// x: [n_tokens, n_heads, head_dim]; token t is at positions[t]. Only the first
// n_rot dims of each head rotate; the rest are left as they are.
void RopeInplace(float* x, int64_t n_tokens, int n_heads, const int32_t* positions, const RopeParams& params);
void RopeInplace(const KernelTable& table, float* x, int64_t n_tokens, int n_heads, const int32_t* positions,
                 const RopeParams& params);

// x[0..n) = softmax(x), numerically stable (max subtracted). -inf entries get
// 0; a row of only -inf becomes all zeros (nothing to attend to).
void SoftmaxInplace(float* x, int64_t n);
void SoftmaxInplace(const KernelTable& table, float* x, int64_t n);

// x[i] = cap · tanh(x[i] / cap) (gemma's logit soft-capping); cap > 0.
void SoftCapInplace(float* x, int64_t n, float cap);

// out[i] = gelu(gate[i]) * up[i] with ggml's tanh approximation of GELU
// (gemma's GeGLU); out may alias gate or up.
void GeGlu(const float* gate, const float* up, int64_t n, float* out);
void GeGlu(const KernelTable& table, const float* gate, const float* up, int64_t n, float* out);

// out[i] = silu(gate[i]) * up[i]; out may alias gate or up.
void SwiGlu(const float* gate, const float* up, int64_t n, float* out);
void SwiGlu(const KernelTable& table, const float* gate, const float* up, int64_t n, float* out);

// Causal attention with grouped-query heads over one sequence's contiguous
// float32 KV cache.
//   q:        [n_tokens, n_head, head_dim]
//   k_cache:  [n_ctx, n_head_kv, head_dim], rows 0 .. pos0 + n_tokens - 1 valid
//   v_cache:  same layout as k_cache
//   out:      [n_tokens, n_head, head_dim]
// Query token t sits at position pos0 + t and attends to cache rows
// [0, pos0 + t], or with a sliding window w > 0 to the last w of them
// [max(0, pos0 + t + 1 - w), pos0 + t]. Query head h reads KV head
// h / (n_head / n_head_kv). Scores are scale · q·k, soft-capped
// (cap · tanh(s / cap)) when softcap > 0, then soft-maxed.
// Parallel over (token, query heads sharing a KV head) items; each head runs
// an online softmax over L1-sized blocks of keys (running max and sum), so
// scratch is O(n_head · head_dim) per thread whatever the context length.
// Results do not depend on the thread count.
struct AttentionShape {
  int n_head = 0;
  int n_head_kv = 0;
  int head_dim = 0;
  float scale = 0.0f;    // usually 1 / sqrt(head_dim)
  float softcap = 0.0f;  // > 0: scores become softcap · tanh(score / softcap) (gemma2)
  int64_t window = 0;    // > 0: a query attends only the last `window` positions, its own included
};

// The first position a query at `position` attends under `shape`'s window.
inline int64_t FirstAttendedPosition(const AttentionShape& shape, int64_t position) {
  return shape.window > 0 && position + 1 > shape.window ? position + 1 - shape.window : 0;
}
void AttentionCausal(const float* q, int64_t n_tokens, int64_t pos0, const float* k_cache, const float* v_cache,
                     const AttentionShape& shape, float* out, ThreadPool& pool);
void AttentionCausal(const KernelTable& table, const float* q, int64_t n_tokens, int64_t pos0, const float* k_cache,
                     const float* v_cache, const AttentionShape& shape, float* out, ThreadPool& pool);

}  // namespace fab::kernels
