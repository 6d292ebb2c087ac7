// FloatOps: the float32 half of the kernel table (norms, RoPE, softmax,
// activations, attention inner loops), one instance per ISA filled by
// MakeFloatOps*(). The scalar instance is the reference twin every vector
// instance is tested against. Callers normally use the ops of ops.h, which
// wrap these; all pointers are non-null and every function is reentrant.
// Pointers need no alignment; n == 0 is allowed everywhere.
#pragma once

#include <cstdint>

namespace fab::kernels {

struct FloatOps {
  // Σ a[i]·b[i] over [n].
  float (*dot)(const float* a, const float* b, int64_t n);
  // Σ x[i]² over [n].
  float (*sum_squares)(const float* x, int64_t n);
  // out[i] = x[i] · scale · weight[i] (weight may be null: treated as 1);
  // out may alias x.
  void (*scale_by_weight)(const float* x, const float* weight, float scale, int64_t n, float* out);
  // max over [n]; -inf when n == 0.
  float (*max)(const float* x, int64_t n);
  // x[i] = exp(x[i] - shift) in place; returns Σ of the new values.
  // Vector exp is accurate to ~2e-7 relative; exp of < -87.3 is exactly 0.
  float (*exp_shifted_sum)(float* x, int64_t n, float shift);
  // x[i] *= factor.
  void (*scale)(float* x, float factor, int64_t n);
  // out[i] = gate[i] / (1 + exp(-gate[i])) · up[i]; out may alias either.
  void (*swiglu)(const float* gate, const float* up, int64_t n, float* out);
  // out[i] = gelu(gate[i]) · up[i] with ggml's tanh approximation, computed
  // as g / (1 + exp(-2u)), u = sqrt(2/π)·g·(1 + 0.044715·g²) (equal to
  // 0.5·g·(1 + tanh(u))); out may alias either.
  void (*geglu)(const float* gate, const float* up, int64_t n, float* out);

  // RoPE on the first n_rot (even) floats of one head, in place.
  // Adjacent pairs (llama): cos_dup = [c0 c0 c1 c1 ...], sin_signed =
  // [-s0 s0 -s1 s1 ...], both [n_rot]; x = x·cos_dup + swap_pairs(x)·sin_signed.
  void (*rope_adjacent_pairs)(float* x, const float* cos_dup, const float* sin_signed, int n_rot);
  // Halves (neox): cos, sin are [n_rot / 2]; rotates (x[i], x[i + n_rot/2]).
  void (*rope_halves)(float* x, const float* cos, const float* sin, int n_rot);

  // Attention inner loops over a block of n_keys cache rows of one KV head.
  // scores[j] = scale · Σ_d q[d] · k[j·k_stride + d], d < head_dim.
  void (*attention_scores)(const float* q, const float* k, int64_t k_stride, int64_t n_keys, int head_dim, float scale,
                           float* scores);
  // acc[d] += Σ_j weights[j] · v[j·v_stride + d], d < head_dim.
  void (*attention_accumulate)(const float* weights, const float* v, int64_t v_stride, int64_t n_keys, int head_dim,
                               float* acc);
};

// The tables per ISA. MakeFloatOpsAvx2/Avx512 may be called on any CPU (they
// only copy pointers); calling the functions in them needs that ISA.
FloatOps MakeFloatOpsScalar();
FloatOps MakeFloatOpsAvx2();
FloatOps MakeFloatOpsAvx512();

// Implementation detail of the two above: constant tables defined in the
// per-ISA files, read from baseline code so that copying a table never runs
// an instruction the CPU may lack.
const FloatOps* FloatOpsAvx2Table();
const FloatOps* FloatOpsAvx512Table();

}  // namespace fab::kernels
