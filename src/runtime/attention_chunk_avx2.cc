// AVX2 + FMA AttentionChunkOps: the kernels of attention_chunk-simd-inl.h
// over 8-lane ymm vectors. Sixteen ymm registers bound the blocking: scores
// take the queries two at a time (2·4 accumulators and 4 key rows; four at
// once spill and measured slower than two passes); accumulate keeps G·S
// accumulators with S = 4 vectors of output dims, or 2 for three or four
// queries. Head sizes that are not a multiple of 8 end with vmaskmov loads
// and stores. Compiled with the AVX2 flags; runs only where
// attention_chunk.cc found AVX2.
#include <immintrin.h>

#include <cstdint>

#include "runtime/attention_chunk.h"

namespace fab::runtime {
namespace {

// kFirstLanesTable + 8 - n holds n all-ones lanes followed by zeros.
alignas(64) constexpr int32_t kFirstLanesTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

struct Avx2 {
  using Vec = __m256;
  using Mask = __m256i;
  static constexpr int kLanes = 8;

  static constexpr int kScoresQueriesPerPass = 2;
  static constexpr int SpanVectors(int n_queries) { return n_queries <= 2 ? 4 : 2; }
  static Mask FirstLanes(int n) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kFirstLanesTable + kLanes - n));
  }
  static Vec Zero() { return _mm256_setzero_ps(); }
  static Vec Load(const float* p) { return _mm256_loadu_ps(p); }
  static Vec LoadMasked(const float* p, Mask mask) { return _mm256_maskload_ps(p, mask); }
  static void Store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static void StoreMasked(float* p, Vec v, Mask mask) { _mm256_maskstore_ps(p, mask, v); }
  static Vec Broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Vec MulAdd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static float ReduceAdd(Vec v) {
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
  }
  static __m128 ReduceAdd4(Vec a, Vec b, Vec c, Vec d) {
    // Per 128-bit half: [Σa, Σb, Σc, Σd] of that half's four elements.
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
  }
};

}  // namespace
}  // namespace fab::runtime

#include "runtime/attention_chunk-simd-inl.h"

namespace fab::runtime {
namespace {

constexpr AttentionChunkOps kAvx2Ops{&simd::ScoresEntry<Avx2>, &simd::AccumulateEntry<Avx2>};

}  // namespace

const AttentionChunkOps* AttentionChunkOpsAvx2Table() { return &kAvx2Ops; }

}  // namespace fab::runtime
