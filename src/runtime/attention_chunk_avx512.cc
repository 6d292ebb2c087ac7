// AVX-512 AttentionChunkOps: the kernels of attention_chunk-simd-inl.h over
// 16-lane zmm vectors. Thirty-two registers allow the widest blocking for
// every query count: scores take four keys at a time (4·G partial vectors
// reduced four at a time with unpacks), accumulate 4·16 output dims (G·4
// accumulators). Head sizes that are not a multiple of 16 end with masked
// loads and stores. Compiled with the AVX-512 flags; runs only where
// attention_chunk.cc found AVX-512.

// GCC 12 warns falsely about _mm512_undefined_* inside inlined intrinsics.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

#include "runtime/attention_chunk.h"

namespace fab::runtime {
namespace {

struct Avx512 {
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;

  static constexpr int kScoresQueriesPerPass = 4;
  static constexpr int SpanVectors(int) { return 4; }
  static Mask FirstLanes(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static Vec Zero() { return _mm512_setzero_ps(); }
  static Vec Load(const float* p) { return _mm512_loadu_ps(p); }
  static Vec LoadMasked(const float* p, Mask mask) { return _mm512_maskz_loadu_ps(mask, p); }
  static void Store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static void StoreMasked(float* p, Vec v, Mask mask) { _mm512_mask_storeu_ps(p, mask, v); }
  static Vec Broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Vec MulAdd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static float ReduceAdd(Vec v) { return _mm512_reduce_add_ps(v); }
  static __m128 ReduceAdd4(Vec a, Vec b, Vec c, Vec d) {
    // Per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3] and the same for c, d.
    const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
    const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
    // Per lane: [Σa, Σb, Σc, Σd] of that lane's four elements.
    const __m512 abcd = _mm512_add_ps(
        _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(ab), _mm512_castps_pd(cd))),
        _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(ab), _mm512_castps_pd(cd))));
    const __m256 halves = _mm256_add_ps(_mm512_castps512_ps256(abcd),
                                        _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(abcd), 1)));
    return _mm_add_ps(_mm256_castps256_ps128(halves), _mm256_extractf128_ps(halves, 1));
  }
};

}  // namespace
}  // namespace fab::runtime

#include "runtime/attention_chunk-simd-inl.h"

namespace fab::runtime {
namespace {

constexpr AttentionChunkOps kAvx512Ops{&simd::ScoresEntry<Avx512>, &simd::AccumulateEntry<Avx512>};

}  // namespace

const AttentionChunkOps* AttentionChunkOpsAvx512Table() { return &kAvx512Ops; }

}  // namespace fab::runtime
