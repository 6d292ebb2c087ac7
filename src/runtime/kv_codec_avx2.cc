// AVX2 + F16C KvCodec: 8 values per instruction, tails of fewer than 8
// through a zero-padded stack copy (the conversions are lane-wise, so a tail
// converts exactly like a full vector). Compiled with the AVX2 flags; its
// functions run only where kv_codec.cc found AVX2, FMA and F16C (the table
// itself is constant data, safe to read anywhere). vcvtph2ps is exact and
// vcvtps2ph rounds to nearest even, as the scalar twins do; q·d is one
// correctly rounded product either way.
#include <immintrin.h>

#include <cstring>

#include "runtime/kv_codec.h"

namespace fab::runtime {
namespace {

constexpr int64_t kLanes = 8;

__m256 HalvesToFloats(const uint16_t* src) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
}

__m128i FloatsToHalves(const float* src) {
  return _mm256_cvtps_ph(_mm256_loadu_ps(src), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

void F16ToF32Avx2(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    _mm256_storeu_ps(dst + i, HalvesToFloats(src + i));
    _mm256_storeu_ps(dst + i + kLanes, HalvesToFloats(src + i + kLanes));
  }
  for (; i + kLanes <= n; i += kLanes) _mm256_storeu_ps(dst + i, HalvesToFloats(src + i));
  if (i < n) {
    uint16_t halves[kLanes] = {};
    float floats[kLanes];
    std::memcpy(halves, src + i, static_cast<size_t>(n - i) * sizeof(uint16_t));
    _mm256_storeu_ps(floats, HalvesToFloats(halves));
    std::memcpy(dst + i, floats, static_cast<size_t>(n - i) * sizeof(float));
  }
}

void F32ToF16Avx2(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), FloatsToHalves(src + i));
  }
  if (i < n) {
    float floats[kLanes] = {};
    uint16_t halves[kLanes];
    std::memcpy(floats, src + i, static_cast<size_t>(n - i) * sizeof(float));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(halves), FloatsToHalves(floats));
    std::memcpy(dst + i, halves, static_cast<size_t>(n - i) * sizeof(uint16_t));
  }
}

void Q8ToF32Avx2(const int8_t* q, const float* scales, float* dst, int64_t n) {
  static_assert(kQ8GroupSize == 4 * kLanes);
  for (int64_t group = 0; group < n / kQ8GroupSize; ++group) {
    const __m256 d = _mm256_set1_ps(scales[group]);
    const int8_t* levels = q + group * kQ8GroupSize;
    float* out = dst + group * kQ8GroupSize;
    for (int64_t part = 0; part < 4; ++part) {
      const __m128i eight = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(levels + part * kLanes));
      _mm256_storeu_ps(out + part * kLanes, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(eight)), d));
    }
  }
}

constexpr KvCodec kAvx2Codec{&F16ToF32Avx2, &F32ToF16Avx2, &Q8ToF32Avx2};

}  // namespace

const KvCodec* KvCodecAvx2Table() { return &kAvx2Codec; }

}  // namespace fab::runtime
