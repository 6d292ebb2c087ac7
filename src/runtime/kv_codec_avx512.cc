// AVX-512 KvCodec: 16 values per instruction with masked tails. Compiled
// with the AVX-512 flags; its functions run only where kv_codec.cc found
// AVX-512 (the table itself is constant data, safe to read anywhere).
// vcvtph2ps is exact and vcvtps2ph rounds to nearest even, as the scalar
// twins do; q·d is one correctly rounded product either way.

// GCC 12 warns falsely about _mm512_undefined_* inside inlined intrinsics.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "runtime/kv_codec.h"

namespace fab::runtime {
namespace {

__mmask16 FirstLanes(int64_t n) { return static_cast<__mmask16>((1u << n) - 1u); }

void F16ToF32Avx512(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i h0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    const __m256i h1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 16));
    _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(h0));
    _mm512_storeu_ps(dst + i + 16, _mm512_cvtph_ps(h1));
  }
  for (; i < n; i += 16) {
    const __mmask16 mask = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : FirstLanes(n - i);
    const __m256i h = _mm256_maskz_loadu_epi16(mask, src + i);
    _mm512_mask_storeu_ps(dst + i, mask, _mm512_cvtph_ps(h));
  }
}

void F32ToF16Avx512(const float* src, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : FirstLanes(n - i);
    const __m512 x = _mm512_maskz_loadu_ps(mask, src + i);
    const __m256i h = _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm256_mask_storeu_epi16(dst + i, mask, h);
  }
}

void Q8ToF32Avx512(const int8_t* q, const float* scales, float* dst, int64_t n) {
  static_assert(kQ8GroupSize == 32);
  for (int64_t group = 0; group < n / kQ8GroupSize; ++group) {
    const __m512 d = _mm512_set1_ps(scales[group]);
    const int8_t* levels = q + group * kQ8GroupSize;
    float* out = dst + group * kQ8GroupSize;
    const __m128i q0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(levels));
    const __m128i q1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(levels + 16));
    _mm512_storeu_ps(out, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q0)), d));
    _mm512_storeu_ps(out + 16, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q1)), d));
  }
}

constexpr KvCodec kAvx512Codec{&F16ToF32Avx512, &F32ToF16Avx512, &Q8ToF32Avx512};

}  // namespace

const KvCodec* KvCodecAvx512Table() { return &kAvx512Codec; }

}  // namespace fab::runtime
