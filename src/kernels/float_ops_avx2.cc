// AVX2 + FMA FloatOps: the kernels of float_ops-simd-inl.h over 8-lane ymm
// vectors, tails through maskload/maskstore. Compiled with the AVX2 flags;
// its kernels run only where dispatch.cc found AVX2 in CPUID (the table
// itself is constant data, safe to copy anywhere).
#include <immintrin.h>

#include <cstdint>

#include "kernels/float_ops.h"

namespace fab::kernels {
namespace {

// kFirstLanesTable + 8 - n holds n all-ones lanes followed by zeros.
alignas(64) constexpr int32_t kFirstLanesTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

struct Avx2 {
  using Vec = __m256;
  static constexpr int kLanes = 8;

  static __m256i FirstLanes(int n) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kFirstLanesTable + 8 - n));
  }
  static Vec Zero() { return _mm256_setzero_ps(); }
  static Vec Set1(float value) { return _mm256_set1_ps(value); }
  static Vec Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static Vec LoadPartial(const float* p, int n, float fill) {
    const __m256i mask = FirstLanes(n);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, mask), _mm256_castsi256_ps(mask));
  }
  static void StorePartial(float* p, Vec v, int n) { _mm256_maskstore_ps(p, FirstLanes(n), v); }
  static Vec Add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static Vec Sub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
  static Vec Mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
  static Vec Div(Vec a, Vec b) { return _mm256_div_ps(a, b); }
  static Vec Min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
  static Vec MulAdd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Vec NegMulAdd(Vec a, Vec b, Vec c) { return _mm256_fnmadd_ps(a, b, c); }
  static __m128 Fold(Vec v) { return _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)); }
  static float ReduceAdd(Vec v) {
    __m128 sum = Fold(v);
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
  }
  static float ReduceMax(Vec v) {
    __m128 max = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    max = _mm_max_ps(max, _mm_movehl_ps(max, max));
    max = _mm_max_ss(max, _mm_movehdup_ps(max));
    return _mm_cvtss_f32(max);
  }
  static void ReduceAdd4(Vec a, Vec b, Vec c, Vec d, float scale, float* out) {
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    _mm_storeu_ps(out, _mm_mul_ps(Fold(abcd), _mm_set1_ps(scale)));
  }
  static Vec Round(Vec v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // n is integral and within [-126, 127] (Exp clamps its input).
  static Vec ScaleByPow2(Vec v, Vec n) {
    const __m256i biased = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_mul_ps(v, _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23)));
  }
  static Vec ZeroWhereBelow(Vec v, Vec x, float limit) {
    return _mm256_and_ps(v, _mm256_cmp_ps(x, _mm256_set1_ps(limit), _CMP_GE_OQ));
  }
  static Vec SwapPairs(Vec v) { return _mm256_permute_ps(v, 0xB1); }
};

}  // namespace
}  // namespace fab::kernels

#include "kernels/float_ops-simd-inl.h"

namespace fab::kernels {

namespace {

// Constant-initialised, so no code compiled with this file's flags runs
// before dispatch.cc has checked the CPU.
constinit const FloatOps kFloatOpsAvx2 = {
    .dot = simd::Dot<Avx2>,
    .sum_squares = simd::SumSquares<Avx2>,
    .scale_by_weight = simd::ScaleByWeight<Avx2>,
    .max = simd::Max<Avx2>,
    .exp_shifted_sum = simd::ExpShiftedSum<Avx2>,
    .scale = simd::Scale<Avx2>,
    .swiglu = simd::SwiGlu<Avx2>,
    .geglu = simd::GeGlu<Avx2>,
    .rope_adjacent_pairs = simd::RopeAdjacentPairs<Avx2>,
    .rope_halves = simd::RopeHalves<Avx2>,
    .attention_scores = simd::AttentionScores<Avx2>,
    .attention_accumulate = simd::AttentionAccumulate<Avx2>,
};

}  // namespace

const FloatOps* FloatOpsAvx2Table() { return &kFloatOpsAvx2; }

}  // namespace fab::kernels
