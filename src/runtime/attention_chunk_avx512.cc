// AVX-512 AttentionChunkOps. Scores: four keys at a time, each key row loaded
// once for all G queries, the 4·G partial vectors reduced four at a time
// with unpacks. Accumulate: 4·16 output dims at a time, each value row
// loaded once for all G queries (G·4 accumulators). Compiled with the
// AVX-512 flags; runs only where attention_chunk.cc found AVX-512.

// GCC 12 warns falsely about _mm512_undefined_* inside inlined intrinsics.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "runtime/attention_chunk.h"

namespace fab::runtime {
namespace {

constexpr int kLanes = 16;

__mmask16 FirstLanes(int n) { return static_cast<__mmask16>((1u << n) - 1u); }

// The horizontal sums of four vectors, [Σa, Σb, Σc, Σd].
__m128 ReduceAdd4(__m512 a, __m512 b, __m512 c, __m512 d) {
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

template <int G>
void ScoresT(const float* q, int64_t q_stride, const float* keys, int64_t n_keys, int head_dim, float scale,
             float* scores, int64_t scores_stride) {
  const int n_full = head_dim / kLanes * kLanes;
  const __mmask16 tail = FirstLanes(head_dim - n_full);
  int64_t j = 0;
  for (; j + 4 <= n_keys; j += 4) {
    const float* k = keys + j * head_dim;
    __m512 sum[G][4];
    for (int g = 0; g < G; ++g) {
      for (int t = 0; t < 4; ++t) sum[g][t] = _mm512_setzero_ps();
    }
    for (int d = 0; d < n_full; d += kLanes) {
      __m512 key[4];
      for (int t = 0; t < 4; ++t) key[t] = _mm512_loadu_ps(k + t * head_dim + d);
      for (int g = 0; g < G; ++g) {
        const __m512 query = _mm512_loadu_ps(q + g * q_stride + d);
        for (int t = 0; t < 4; ++t) sum[g][t] = _mm512_fmadd_ps(query, key[t], sum[g][t]);
      }
    }
    if (tail != 0) {
      __m512 key[4];
      for (int t = 0; t < 4; ++t) key[t] = _mm512_maskz_loadu_ps(tail, k + t * head_dim + n_full);
      for (int g = 0; g < G; ++g) {
        const __m512 query = _mm512_maskz_loadu_ps(tail, q + g * q_stride + n_full);
        for (int t = 0; t < 4; ++t) sum[g][t] = _mm512_fmadd_ps(query, key[t], sum[g][t]);
      }
    }
    for (int g = 0; g < G; ++g) {
      const __m128 dots = ReduceAdd4(sum[g][0], sum[g][1], sum[g][2], sum[g][3]);
      _mm_storeu_ps(scores + g * scores_stride + j, _mm_mul_ps(dots, _mm_set1_ps(scale)));
    }
  }
  for (; j < n_keys; ++j) {
    const float* k = keys + j * head_dim;
    __m512 sum[G];
    for (int g = 0; g < G; ++g) sum[g] = _mm512_setzero_ps();
    for (int d = 0; d < head_dim; d += kLanes) {
      const __mmask16 mask = d + kLanes <= head_dim ? static_cast<__mmask16>(0xFFFF) : tail;
      const __m512 key = _mm512_maskz_loadu_ps(mask, k + d);
      for (int g = 0; g < G; ++g) {
        sum[g] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, q + g * q_stride + d), key, sum[g]);
      }
    }
    for (int g = 0; g < G; ++g) scores[g * scores_stride + j] = scale * _mm512_reduce_add_ps(sum[g]);
  }
}

// Output dims [d, d + V·16) (the first `mask` lanes when kMasked, V == 1).
template <int G, int V, bool kMasked>
void AccumulateSpan(const float* weights, int64_t weights_stride, const float* values, int64_t n_keys, int head_dim,
                    float* acc, int64_t acc_stride, int d, __mmask16 mask) {
  static_assert(!kMasked || V == 1);
  const auto load = [&](const float* p) { return kMasked ? _mm512_maskz_loadu_ps(mask, p) : _mm512_loadu_ps(p); };
  __m512 sum[G][V];
  for (int g = 0; g < G; ++g) {
    for (int v = 0; v < V; ++v) sum[g][v] = load(acc + g * acc_stride + d + v * kLanes);
  }
  for (int64_t j = 0; j < n_keys; ++j) {
    const float* row = values + j * head_dim + d;
    __m512 value[V];
    for (int v = 0; v < V; ++v) value[v] = load(row + v * kLanes);
    for (int g = 0; g < G; ++g) {
      const __m512 weight = _mm512_set1_ps(weights[g * weights_stride + j]);
      for (int v = 0; v < V; ++v) sum[g][v] = _mm512_fmadd_ps(weight, value[v], sum[g][v]);
    }
  }
  for (int g = 0; g < G; ++g) {
    for (int v = 0; v < V; ++v) {
      float* out = acc + g * acc_stride + d + v * kLanes;
      if constexpr (kMasked) {
        _mm512_mask_storeu_ps(out, mask, sum[g][v]);
      } else {
        _mm512_storeu_ps(out, sum[g][v]);
      }
    }
  }
}

template <int G>
void AccumulateT(const float* weights, int64_t weights_stride, const float* values, int64_t n_keys, int head_dim,
                 float* acc, int64_t acc_stride) {
  int d = 0;
  for (; d + 4 * kLanes <= head_dim; d += 4 * kLanes) {
    AccumulateSpan<G, 4, false>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride, d, 0);
  }
  for (; d + kLanes <= head_dim; d += kLanes) {
    AccumulateSpan<G, 1, false>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride, d, 0);
  }
  if (d < head_dim) {
    AccumulateSpan<G, 1, true>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride, d,
                               FirstLanes(head_dim - d));
  }
}

void ScoresAvx512(const float* q, int64_t q_stride, int n_queries, const float* keys, int64_t n_keys, int head_dim,
                  float scale, float* scores, int64_t scores_stride) {
  switch (n_queries) {
    case 1: return ScoresT<1>(q, q_stride, keys, n_keys, head_dim, scale, scores, scores_stride);
    case 2: return ScoresT<2>(q, q_stride, keys, n_keys, head_dim, scale, scores, scores_stride);
    case 3: return ScoresT<3>(q, q_stride, keys, n_keys, head_dim, scale, scores, scores_stride);
    default: return ScoresT<4>(q, q_stride, keys, n_keys, head_dim, scale, scores, scores_stride);
  }
}

void AccumulateAvx512(const float* weights, int64_t weights_stride, int n_queries, const float* values,
                      int64_t n_keys, int head_dim, float* acc, int64_t acc_stride) {
  switch (n_queries) {
    case 1: return AccumulateT<1>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride);
    case 2: return AccumulateT<2>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride);
    case 3: return AccumulateT<3>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride);
    default: return AccumulateT<4>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride);
  }
}

constexpr AttentionChunkOps kAvx512Ops{&ScoresAvx512, &AccumulateAvx512};

}  // namespace

const AttentionChunkOps* AttentionChunkOpsAvx512Table() { return &kAvx512Ops; }

}  // namespace fab::runtime
