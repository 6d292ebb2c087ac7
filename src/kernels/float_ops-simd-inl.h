// FloatOps kernels written once over a vector-traits class V and compiled per
// ISA: float_ops_avx2.cc and float_ops_avx512.cc each define their traits in
// an anonymous namespace and include this file, so every instantiation has
// internal linkage and carries only that translation unit's -m flags.
// V provides: Vec, kLanes, Zero, Set1, Load, Store, LoadPartial(p, n, fill),
// StorePartial(p, v, n) for 0 ≤ n < kLanes, Add, Sub, Mul, Div, Min, Max,
// MulAdd(a, b, c) = a·b + c, NegMulAdd(a, b, c) = c − a·b, ReduceAdd,
// ReduceMax, ReduceAdd4(a, b, c, d, scale, out) writing out[0..4) = scale·Σ
// of each, Round (to nearest), ScaleByPow2(x, n) = x·2ⁿ for integral n,
// ZeroWhereBelow(v, x, limit), SwapPairs (lanes 2i ↔ 2i+1).
// Include only after <immintrin.h> and <cstdint>; no other dependencies, so
// no inline function of a shared header is compiled with ISA flags here.
#pragma once

namespace fab::kernels::simd {

inline constexpr float kNegativeInfinity = -__builtin_inff();

// exp(x) with ~2e-7 relative error: x = n·ln2 + r, |r| ≤ ln2/2, Horner on the
// degree-7 Taylor polynomial of eʳ, then scaled by 2ⁿ. Inputs below
// kExpMinInput (including -inf) give exactly 0; above kExpMaxInput saturate.
inline constexpr float kExpMinInput = -87.33654475f;  // ln(FLT_MIN)
inline constexpr float kExpMaxInput = 88.0f;          // keeps n ≤ 127

template <class V>
typename V::Vec Exp(typename V::Vec x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2High = 0.693359375f;  // few mantissa bits: n·kLn2High is exact
  constexpr float kLn2Low = -2.12194440e-4f;
  const typename V::Vec clamped = V::Min(V::Max(x, V::Set1(kExpMinInput)), V::Set1(kExpMaxInput));
  const typename V::Vec n = V::Round(V::Mul(clamped, V::Set1(kLog2e)));
  typename V::Vec r = V::NegMulAdd(n, V::Set1(kLn2High), clamped);
  r = V::NegMulAdd(n, V::Set1(kLn2Low), r);
  typename V::Vec poly = V::Set1(1.0f / 5040.0f);
  poly = V::MulAdd(poly, r, V::Set1(1.0f / 720.0f));
  poly = V::MulAdd(poly, r, V::Set1(1.0f / 120.0f));
  poly = V::MulAdd(poly, r, V::Set1(1.0f / 24.0f));
  poly = V::MulAdd(poly, r, V::Set1(1.0f / 6.0f));
  poly = V::MulAdd(poly, r, V::Set1(0.5f));
  poly = V::MulAdd(poly, r, V::Set1(1.0f));
  poly = V::MulAdd(poly, r, V::Set1(1.0f));
  return V::ZeroWhereBelow(V::ScaleByPow2(poly, n), x, kExpMinInput);
}

template <class V>
float Dot(const float* a, const float* b, int64_t n) {
  constexpr int64_t kLanes = V::kLanes;
  typename V::Vec sum0 = V::Zero(), sum1 = V::Zero(), sum2 = V::Zero(), sum3 = V::Zero();
  int64_t i = 0;
  for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
    sum0 = V::MulAdd(V::Load(a + i), V::Load(b + i), sum0);
    sum1 = V::MulAdd(V::Load(a + i + kLanes), V::Load(b + i + kLanes), sum1);
    sum2 = V::MulAdd(V::Load(a + i + 2 * kLanes), V::Load(b + i + 2 * kLanes), sum2);
    sum3 = V::MulAdd(V::Load(a + i + 3 * kLanes), V::Load(b + i + 3 * kLanes), sum3);
  }
  for (; i + kLanes <= n; i += kLanes) sum0 = V::MulAdd(V::Load(a + i), V::Load(b + i), sum0);
  if (i < n) {
    const int rest = static_cast<int>(n - i);
    sum1 = V::MulAdd(V::LoadPartial(a + i, rest, 0.0f), V::LoadPartial(b + i, rest, 0.0f), sum1);
  }
  return V::ReduceAdd(V::Add(V::Add(sum0, sum1), V::Add(sum2, sum3)));
}

template <class V>
float SumSquares(const float* x, int64_t n) {
  return Dot<V>(x, x, n);
}

template <class V>
void ScaleByWeight(const float* x, const float* weight, float scale, int64_t n, float* out) {
  constexpr int64_t kLanes = V::kLanes;
  const typename V::Vec factor = V::Set1(scale);
  int64_t i = 0;
  if (weight == nullptr) {
    for (; i + kLanes <= n; i += kLanes) V::Store(out + i, V::Mul(V::Load(x + i), factor));
    if (i < n) {
      const int rest = static_cast<int>(n - i);
      V::StorePartial(out + i, V::Mul(V::LoadPartial(x + i, rest, 0.0f), factor), rest);
    }
    return;
  }
  for (; i + kLanes <= n; i += kLanes) {
    V::Store(out + i, V::Mul(V::Mul(V::Load(x + i), factor), V::Load(weight + i)));
  }
  if (i < n) {
    const int rest = static_cast<int>(n - i);
    const typename V::Vec scaled = V::Mul(V::LoadPartial(x + i, rest, 0.0f), factor);
    V::StorePartial(out + i, V::Mul(scaled, V::LoadPartial(weight + i, rest, 0.0f)), rest);
  }
}

template <class V>
float Max(const float* x, int64_t n) {
  constexpr int64_t kLanes = V::kLanes;
  const typename V::Vec lowest = V::Set1(kNegativeInfinity);
  typename V::Vec max0 = lowest, max1 = lowest, max2 = lowest, max3 = lowest;
  int64_t i = 0;
  for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
    max0 = V::Max(max0, V::Load(x + i));
    max1 = V::Max(max1, V::Load(x + i + kLanes));
    max2 = V::Max(max2, V::Load(x + i + 2 * kLanes));
    max3 = V::Max(max3, V::Load(x + i + 3 * kLanes));
  }
  for (; i + kLanes <= n; i += kLanes) max0 = V::Max(max0, V::Load(x + i));
  if (i < n) max1 = V::Max(max1, V::LoadPartial(x + i, static_cast<int>(n - i), kNegativeInfinity));
  return V::ReduceMax(V::Max(V::Max(max0, max1), V::Max(max2, max3)));
}

template <class V>
float ExpShiftedSum(float* x, int64_t n, float shift) {
  constexpr int64_t kLanes = V::kLanes;
  const typename V::Vec offset = V::Set1(shift);
  typename V::Vec sum0 = V::Zero(), sum1 = V::Zero();
  int64_t i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const typename V::Vec e0 = Exp<V>(V::Sub(V::Load(x + i), offset));
    const typename V::Vec e1 = Exp<V>(V::Sub(V::Load(x + i + kLanes), offset));
    V::Store(x + i, e0);
    V::Store(x + i + kLanes, e1);
    sum0 = V::Add(sum0, e0);
    sum1 = V::Add(sum1, e1);
  }
  for (; i + kLanes <= n; i += kLanes) {
    const typename V::Vec e = Exp<V>(V::Sub(V::Load(x + i), offset));
    V::Store(x + i, e);
    sum0 = V::Add(sum0, e);
  }
  if (i < n) {
    const int rest = static_cast<int>(n - i);
    // The filler lanes are -inf, whose exp is exactly 0.
    const typename V::Vec e = Exp<V>(V::Sub(V::LoadPartial(x + i, rest, kNegativeInfinity), offset));
    V::StorePartial(x + i, e, rest);
    sum1 = V::Add(sum1, e);
  }
  return V::ReduceAdd(V::Add(sum0, sum1));
}

template <class V>
void Scale(float* x, float factor, int64_t n) {
  ScaleByWeight<V>(x, nullptr, factor, n, x);
}

// gate / (1 + exp(-z)) · up: SiLU when z = gate, ggml's tanh GELU when
// z = 2·sqrt(2/π)·gate·(1 + 0.044715·gate²).
template <class V>
typename V::Vec SigmoidGated(typename V::Vec gate, typename V::Vec z, typename V::Vec up) {
  const typename V::Vec exp_neg = Exp<V>(V::Sub(V::Zero(), z));
  return V::Mul(V::Div(gate, V::Add(V::Set1(1.0f), exp_neg)), up);
}

template <class V>
typename V::Vec SwiGluVec(typename V::Vec gate, typename V::Vec up) {
  return SigmoidGated<V>(gate, gate, up);
}

inline constexpr float kGeluTwoSqrt2OverPi = 1.5957691216057308f;  // 2·sqrt(2/π)
inline constexpr float kGeluCubic = 0.044715f;

template <class V>
typename V::Vec GeGluVec(typename V::Vec gate, typename V::Vec up) {
  const typename V::Vec square = V::Mul(gate, gate);
  const typename V::Vec two_u =
      V::Mul(V::Mul(gate, V::Set1(kGeluTwoSqrt2OverPi)), V::MulAdd(square, V::Set1(kGeluCubic), V::Set1(1.0f)));
  return SigmoidGated<V>(gate, two_u, up);
}

// out[i] = Op(gate[i], up[i]) over [n], the tail through partial loads.
template <class V, typename V::Vec (*Op)(typename V::Vec, typename V::Vec)>
void GatedRows(const float* gate, const float* up, int64_t n, float* out) {
  constexpr int64_t kLanes = V::kLanes;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) V::Store(out + i, Op(V::Load(gate + i), V::Load(up + i)));
  if (i < n) {
    const int rest = static_cast<int>(n - i);
    V::StorePartial(out + i, Op(V::LoadPartial(gate + i, rest, 0.0f), V::LoadPartial(up + i, rest, 0.0f)), rest);
  }
}

template <class V>
void SwiGlu(const float* gate, const float* up, int64_t n, float* out) {
  GatedRows<V, SwiGluVec<V>>(gate, up, n, out);
}

template <class V>
void GeGlu(const float* gate, const float* up, int64_t n, float* out) {
  GatedRows<V, GeGluVec<V>>(gate, up, n, out);
}

template <class V>
void RopeAdjacentPairs(float* x, const float* cos_dup, const float* sin_signed, int n_rot) {
  constexpr int kLanes = V::kLanes;
  int i = 0;
  for (; i + kLanes <= n_rot; i += kLanes) {
    const typename V::Vec values = V::Load(x + i);
    const typename V::Vec rotated = V::Mul(V::SwapPairs(values), V::Load(sin_signed + i));
    V::Store(x + i, V::MulAdd(values, V::Load(cos_dup + i), rotated));
  }
  if (i < n_rot) {
    const int rest = n_rot - i;  // even, so pairs never straddle the tail
    const typename V::Vec values = V::LoadPartial(x + i, rest, 0.0f);
    const typename V::Vec rotated = V::Mul(V::SwapPairs(values), V::LoadPartial(sin_signed + i, rest, 0.0f));
    V::StorePartial(x + i, V::MulAdd(values, V::LoadPartial(cos_dup + i, rest, 0.0f), rotated), rest);
  }
}

template <class V>
void RopeHalvesStep(float* low, float* high, const float* cos, const float* sin, int count) {
  const bool full = count == V::kLanes;
  const typename V::Vec x0 = full ? V::Load(low) : V::LoadPartial(low, count, 0.0f);
  const typename V::Vec x1 = full ? V::Load(high) : V::LoadPartial(high, count, 0.0f);
  const typename V::Vec c = full ? V::Load(cos) : V::LoadPartial(cos, count, 0.0f);
  const typename V::Vec s = full ? V::Load(sin) : V::LoadPartial(sin, count, 0.0f);
  const typename V::Vec new_low = V::NegMulAdd(x1, s, V::Mul(x0, c));
  const typename V::Vec new_high = V::MulAdd(x0, s, V::Mul(x1, c));
  if (full) {
    V::Store(low, new_low);
    V::Store(high, new_high);
  } else {
    V::StorePartial(low, new_low, count);
    V::StorePartial(high, new_high, count);
  }
}

template <class V>
void RopeHalves(float* x, const float* cos, const float* sin, int n_rot) {
  const int half = n_rot / 2;
  for (int i = 0; i < half; i += V::kLanes) {
    const int count = half - i < V::kLanes ? half - i : V::kLanes;
    RopeHalvesStep<V>(x + i, x + half + i, cos + i, sin + i, count);
  }
}

// Four keys at a time share each load of q; one at a time for the rest.
template <class V>
void AttentionScores(const float* q, const float* k, int64_t k_stride, int64_t n_keys, int head_dim, float scale,
                     float* scores) {
  constexpr int kLanes = V::kLanes;
  const int n_full = head_dim / kLanes * kLanes;
  const int rest = head_dim - n_full;
  int64_t key_idx = 0;
  for (; key_idx + 4 <= n_keys; key_idx += 4) {
    const float* k0 = k + key_idx * k_stride;
    const float* k1 = k0 + k_stride;
    const float* k2 = k1 + k_stride;
    const float* k3 = k2 + k_stride;
    typename V::Vec sum0 = V::Zero(), sum1 = V::Zero(), sum2 = V::Zero(), sum3 = V::Zero();
    for (int d = 0; d < n_full; d += kLanes) {
      const typename V::Vec query = V::Load(q + d);
      sum0 = V::MulAdd(query, V::Load(k0 + d), sum0);
      sum1 = V::MulAdd(query, V::Load(k1 + d), sum1);
      sum2 = V::MulAdd(query, V::Load(k2 + d), sum2);
      sum3 = V::MulAdd(query, V::Load(k3 + d), sum3);
    }
    if (rest > 0) {
      const typename V::Vec query = V::LoadPartial(q + n_full, rest, 0.0f);
      sum0 = V::MulAdd(query, V::LoadPartial(k0 + n_full, rest, 0.0f), sum0);
      sum1 = V::MulAdd(query, V::LoadPartial(k1 + n_full, rest, 0.0f), sum1);
      sum2 = V::MulAdd(query, V::LoadPartial(k2 + n_full, rest, 0.0f), sum2);
      sum3 = V::MulAdd(query, V::LoadPartial(k3 + n_full, rest, 0.0f), sum3);
    }
    V::ReduceAdd4(sum0, sum1, sum2, sum3, scale, scores + key_idx);
  }
  for (; key_idx < n_keys; ++key_idx) {
    scores[key_idx] = scale * Dot<V>(q, k + key_idx * k_stride, head_dim);
  }
}

// Accumulates kChunk vectors of acc at a time, held in registers across the
// whole block of keys. Short chunks alternate two register sets between even
// and odd keys so that FMA latency, not the dependency chain, sets the pace.
template <class V, int kChunk>
void AccumulateChunk(const float* weights, const float* v, int64_t v_stride, int64_t n_keys, float* acc) {
  constexpr int kSets = kChunk <= 4 ? 2 : 1;
  typename V::Vec sums[kSets][kChunk];
  for (int c = 0; c < kChunk; ++c) {
    sums[0][c] = V::Load(acc + c * V::kLanes);
    if constexpr (kSets == 2) sums[1][c] = V::Zero();
  }
  int64_t key_idx = 0;
  for (; key_idx + kSets <= n_keys; key_idx += kSets) {
    for (int set = 0; set < kSets; ++set) {
      const typename V::Vec weight = V::Set1(weights[key_idx + set]);
      const float* v_row = v + (key_idx + set) * v_stride;
      for (int c = 0; c < kChunk; ++c) {
        sums[set][c] = V::MulAdd(weight, V::Load(v_row + c * V::kLanes), sums[set][c]);
      }
    }
  }
  if (key_idx < n_keys) {  // one key left when kSets == 2
    const typename V::Vec weight = V::Set1(weights[key_idx]);
    const float* v_row = v + key_idx * v_stride;
    for (int c = 0; c < kChunk; ++c) sums[0][c] = V::MulAdd(weight, V::Load(v_row + c * V::kLanes), sums[0][c]);
  }
  for (int c = 0; c < kChunk; ++c) {
    if constexpr (kSets == 2) sums[0][c] = V::Add(sums[0][c], sums[1][c]);
    V::Store(acc + c * V::kLanes, sums[0][c]);
  }
}

template <class V>
void AttentionAccumulate(const float* weights, const float* v, int64_t v_stride, int64_t n_keys, int head_dim,
                         float* acc) {
  constexpr int kLanes = V::kLanes;
  constexpr int kChunk = 8;
  int d = 0;
  for (; d + kChunk * kLanes <= head_dim; d += kChunk * kLanes) {
    AccumulateChunk<V, kChunk>(weights, v + d, v_stride, n_keys, acc + d);
  }
  for (; d + 4 * kLanes <= head_dim; d += 4 * kLanes) AccumulateChunk<V, 4>(weights, v + d, v_stride, n_keys, acc + d);
  for (; d + kLanes <= head_dim; d += kLanes) AccumulateChunk<V, 1>(weights, v + d, v_stride, n_keys, acc + d);
  if (d < head_dim) {
    const int rest = head_dim - d;
    typename V::Vec sum = V::LoadPartial(acc + d, rest, 0.0f);
    for (int64_t key_idx = 0; key_idx < n_keys; ++key_idx) {
      const typename V::Vec row = V::LoadPartial(v + key_idx * v_stride + d, rest, 0.0f);
      sum = V::MulAdd(V::Set1(weights[key_idx]), row, sum);
    }
    V::StorePartial(acc + d, sum, rest);
  }
}

}  // namespace fab::kernels::simd
