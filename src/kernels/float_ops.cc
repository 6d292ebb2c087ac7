// Scalar reference twins of FloatOps: plain loops, sums accumulated in
// double, libm exp. Every vector variant is tested against these. Also the
// baseline-compiled MakeFloatOpsAvx2/Avx512 (see float_ops.h).
#include "kernels/float_ops.h"

#include <cmath>
#include <limits>

namespace fab::kernels {
namespace {

float DotScalar(const float* a, const float* b, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(sum);
}

float SumSquaresScalar(const float* x, int64_t n) { return DotScalar(x, x, n); }

void ScaleByWeightScalar(const float* x, const float* weight, float scale, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = x[i] * scale * (weight != nullptr ? weight[i] : 1.0f);
  }
}

float MaxScalar(const float* x, int64_t n) {
  float result = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) result = x[i] > result ? x[i] : result;
  return result;
}

float ExpShiftedSumScalar(float* x, int64_t n, float shift) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - shift);
    sum += x[i];
  }
  return static_cast<float>(sum);
}

void ScaleScalar(float* x, float factor, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] *= factor;
}

void SwiGluScalar(const float* gate, const float* up, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void GeGluScalar(const float* gate, const float* up, int64_t n, float* out) {
  constexpr float kTwoSqrt2OverPi = 1.5957691216057308f;  // 2·sqrt(2/π)
  constexpr float kCubic = 0.044715f;
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    const float two_u = kTwoSqrt2OverPi * g * (1.0f + kCubic * g * g);
    out[i] = g / (1.0f + std::exp(-two_u)) * up[i];
  }
}

void RopeAdjacentPairsScalar(float* x, const float* cos_dup, const float* sin_signed, int n_rot) {
  for (int i = 0; i < n_rot; i += 2) {
    const float x0 = x[i];
    const float x1 = x[i + 1];
    x[i] = x0 * cos_dup[i] + x1 * sin_signed[i];
    x[i + 1] = x1 * cos_dup[i + 1] + x0 * sin_signed[i + 1];
  }
}

void RopeHalvesScalar(float* x, const float* cos, const float* sin, int n_rot) {
  const int half = n_rot / 2;
  for (int i = 0; i < half; ++i) {
    const float x0 = x[i];
    const float x1 = x[i + half];
    x[i] = x0 * cos[i] - x1 * sin[i];
    x[i + half] = x0 * sin[i] + x1 * cos[i];
  }
}

void AttentionScoresScalar(const float* q, const float* k, int64_t k_stride, int64_t n_keys, int head_dim, float scale,
                           float* scores) {
  for (int64_t key_idx = 0; key_idx < n_keys; ++key_idx) {
    scores[key_idx] = scale * DotScalar(q, k + key_idx * k_stride, head_dim);
  }
}

void AttentionAccumulateScalar(const float* weights, const float* v, int64_t v_stride, int64_t n_keys, int head_dim,
                               float* acc) {
  for (int64_t key_idx = 0; key_idx < n_keys; ++key_idx) {
    const float weight = weights[key_idx];
    const float* v_row = v + key_idx * v_stride;
    for (int d = 0; d < head_dim; ++d) acc[d] += weight * v_row[d];
  }
}

}  // namespace

FloatOps MakeFloatOpsScalar() {
  FloatOps ops;
  ops.dot = DotScalar;
  ops.sum_squares = SumSquaresScalar;
  ops.scale_by_weight = ScaleByWeightScalar;
  ops.max = MaxScalar;
  ops.exp_shifted_sum = ExpShiftedSumScalar;
  ops.scale = ScaleScalar;
  ops.swiglu = SwiGluScalar;
  ops.geglu = GeGluScalar;
  ops.rope_adjacent_pairs = RopeAdjacentPairsScalar;
  ops.rope_halves = RopeHalvesScalar;
  ops.attention_scores = AttentionScoresScalar;
  ops.attention_accumulate = AttentionAccumulateScalar;
  return ops;
}

FloatOps MakeFloatOpsAvx2() { return *FloatOpsAvx2Table(); }
FloatOps MakeFloatOpsAvx512() { return *FloatOpsAvx512Table(); }

}  // namespace fab::kernels
