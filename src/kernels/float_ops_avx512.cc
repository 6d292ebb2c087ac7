// AVX-512 FloatOps: the kernels of float_ops-simd-inl.h over 16-lane zmm
// vectors with mask registers for tails. Compiled with the AVX-512 flags;
// its kernels run only where dispatch.cc found AVX-512 in CPUID (the table
// itself is constant data, safe to copy anywhere).

// GCC 12 warns falsely about the _mm512_undefined_ps() inside many AVX-512
// intrinsics once inlined (the warning points into avx512fintrin.h).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

#include "kernels/float_ops.h"

namespace fab::kernels {
namespace {

struct Avx512 {
  using Vec = __m512;
  static constexpr int kLanes = 16;

  static __mmask16 FirstLanes(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static Vec Zero() { return _mm512_setzero_ps(); }
  static Vec Set1(float value) { return _mm512_set1_ps(value); }
  static Vec Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static Vec LoadPartial(const float* p, int n, float fill) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), FirstLanes(n), p);
  }
  static void StorePartial(float* p, Vec v, int n) { _mm512_mask_storeu_ps(p, FirstLanes(n), v); }
  static Vec Add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  static Vec Sub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
  static Vec Mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
  static Vec Div(Vec a, Vec b) { return _mm512_div_ps(a, b); }
  static Vec Min(Vec a, Vec b) { return _mm512_min_ps(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm512_max_ps(a, b); }
  static Vec MulAdd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Vec NegMulAdd(Vec a, Vec b, Vec c) { return _mm512_fnmadd_ps(a, b, c); }
  static float ReduceAdd(Vec v) { return _mm512_reduce_add_ps(v); }
  static float ReduceMax(Vec v) { return _mm512_reduce_max_ps(v); }
  static __m256 FoldHalves(Vec v) {
    const __m256 high = _mm512_extractf32x8_ps(v, 1);
    return _mm256_add_ps(_mm512_castps512_ps256(v), high);
  }
  static void ReduceAdd4(Vec a, Vec b, Vec c, Vec d, float scale, float* out) {
    const __m256 ab = _mm256_hadd_ps(FoldHalves(a), FoldHalves(b));
    const __m256 cd = _mm256_hadd_ps(FoldHalves(c), FoldHalves(d));
    const __m256 abcd = _mm256_hadd_ps(ab, cd);  // [a b c d] per 128-bit half
    const __m128 sums = _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
    _mm_storeu_ps(out, _mm_mul_ps(sums, _mm_set1_ps(scale)));
  }
  static Vec Round(Vec v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static Vec ScaleByPow2(Vec v, Vec n) { return _mm512_scalef_ps(v, n); }
  static Vec ZeroWhereBelow(Vec v, Vec x, float limit) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(limit), _CMP_GE_OQ), v);
  }
  static Vec SwapPairs(Vec v) { return _mm512_permute_ps(v, 0xB1); }
};

}  // namespace
}  // namespace fab::kernels

#include "kernels/float_ops-simd-inl.h"

namespace fab::kernels {

namespace {

// Constant-initialised, so no code compiled with this file's flags runs
// before dispatch.cc has checked the CPU.
constinit const FloatOps kFloatOpsAvx512 = {
    .dot = simd::Dot<Avx512>,
    .sum_squares = simd::SumSquares<Avx512>,
    .scale_by_weight = simd::ScaleByWeight<Avx512>,
    .max = simd::Max<Avx512>,
    .exp_shifted_sum = simd::ExpShiftedSum<Avx512>,
    .scale = simd::Scale<Avx512>,
    .swiglu = simd::SwiGlu<Avx512>,
    .geglu = simd::GeGlu<Avx512>,
    .rope_adjacent_pairs = simd::RopeAdjacentPairs<Avx512>,
    .rope_halves = simd::RopeHalves<Avx512>,
    .attention_scores = simd::AttentionScores<Avx512>,
    .attention_accumulate = simd::AttentionAccumulate<Avx512>,
};

}  // namespace

const FloatOps* FloatOpsAvx512Table() { return &kFloatOpsAvx512; }

}  // namespace fab::kernels
