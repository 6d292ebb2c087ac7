// AttentionChunkOps kernels written once over a vector-traits class V and
// compiled per ISA: attention_chunk_avx2.cc and attention_chunk_avx512.cc
// each define their traits in an anonymous namespace and include this file,
// so every instantiation has internal linkage and carries only that
// translation unit's -m flags (the pattern of kernels/float_ops-simd-inl.h).
// Scores: four keys at a time, each key row loaded once for the G queries of
// a pass (G·4 partial vectors, reduced four at a time). Accumulate: S vectors
// of output dims at a time, each value row loaded once for all G queries
// (G·S accumulators). The traits size passes and spans to the register file.
// V provides: Vec, Mask, kLanes, kScoresQueriesPerPass (1..4),
// SpanVectors(G), FirstLanes(n) (a Mask of the first n lanes, 0 < n <
// kLanes), Zero, Load, LoadMasked (zero outside the mask), Store,
// StoreMasked, Broadcast(const float*), MulAdd(a, b, c) = a·b + c,
// ReduceAdd, ReduceAdd4(a, b, c, d) → __m128 [Σa, Σb, Σc, Σd].
// Include only after <immintrin.h> and <cstdint>; no other dependencies.
#pragma once

namespace fab::runtime::simd {

// Stores scale · Σ sum[g][t] at scores[g * scores_stride + t] for the G
// queries and 4 keys.
template <class V, int G>
void StoreDots(const typename V::Vec (&sum)[G][4], float scale, float* scores, int64_t scores_stride) {
  const __m128 scale4 = _mm_set1_ps(scale);
  for (int g = 0; g < G; ++g) {
    const __m128 dots = V::ReduceAdd4(sum[g][0], sum[g][1], sum[g][2], sum[g][3]);
    _mm_storeu_ps(scores + g * scores_stride, _mm_mul_ps(dots, scale4));
  }
}

// Keys [0, n_blocks · 4) for all G queries, four at a time.
template <class V, int G>
void ScoresBlocks(const float* q, int64_t q_stride, const float* keys, int64_t n_blocks, int head_dim, float scale,
                  float* scores, int64_t scores_stride) {
  constexpr int kLanes = V::kLanes;
  constexpr int K = 4;
  const int n_full = head_dim / kLanes * kLanes;
  for (int64_t block = 0; block < n_blocks; ++block) {
    const float* k = keys + block * K * head_dim;
    typename V::Vec sum[G][K];
    for (int g = 0; g < G; ++g) {
      for (int t = 0; t < K; ++t) sum[g][t] = V::Zero();
    }
    for (int d = 0; d < n_full; d += kLanes) {
      typename V::Vec key[K];
      for (int t = 0; t < K; ++t) key[t] = V::Load(k + t * head_dim + d);
      for (int g = 0; g < G; ++g) {
        const typename V::Vec query = V::Load(q + g * q_stride + d);
        for (int t = 0; t < K; ++t) sum[g][t] = V::MulAdd(query, key[t], sum[g][t]);
      }
    }
    if (n_full < head_dim) {
      const typename V::Mask tail = V::FirstLanes(head_dim - n_full);
      typename V::Vec key[K];
      for (int t = 0; t < K; ++t) key[t] = V::LoadMasked(k + t * head_dim + n_full, tail);
      for (int g = 0; g < G; ++g) {
        const typename V::Vec query = V::LoadMasked(q + g * q_stride + n_full, tail);
        for (int t = 0; t < K; ++t) sum[g][t] = V::MulAdd(query, key[t], sum[g][t]);
      }
    }
    StoreDots<V, G>(sum, scale, scores + block * K, scores_stride);
  }
}

// Keys [0, n_keys) for all G queries, one at a time.
template <class V, int G>
void ScoresOneByOne(const float* q, int64_t q_stride, const float* keys, int64_t n_keys, int head_dim, float scale,
                    float* scores, int64_t scores_stride) {
  constexpr int kLanes = V::kLanes;
  const int n_full = head_dim / kLanes * kLanes;
  for (int64_t j = 0; j < n_keys; ++j) {
    const float* k = keys + j * head_dim;
    typename V::Vec sum[G];
    for (int g = 0; g < G; ++g) sum[g] = V::Zero();
    for (int d = 0; d < n_full; d += kLanes) {
      const typename V::Vec key = V::Load(k + d);
      for (int g = 0; g < G; ++g) sum[g] = V::MulAdd(V::Load(q + g * q_stride + d), key, sum[g]);
    }
    if (n_full < head_dim) {
      const typename V::Mask tail = V::FirstLanes(head_dim - n_full);
      const typename V::Vec key = V::LoadMasked(k + n_full, tail);
      for (int g = 0; g < G; ++g) sum[g] = V::MulAdd(V::LoadMasked(q + g * q_stride + n_full, tail), key, sum[g]);
    }
    for (int g = 0; g < G; ++g) scores[g * scores_stride + j] = scale * V::ReduceAdd(sum[g]);
  }
}

template <class V, int G>
void Scores(const float* q, int64_t q_stride, const float* keys, int64_t n_keys, int head_dim, float scale,
            float* scores, int64_t scores_stride) {
  const int64_t n_blocks = n_keys / 4;
  ScoresBlocks<V, G>(q, q_stride, keys, n_blocks, head_dim, scale, scores, scores_stride);
  const int64_t done = n_blocks * 4;
  ScoresOneByOne<V, G>(q, q_stride, keys + done * head_dim, n_keys - done, head_dim, scale, scores + done,
                       scores_stride);
}

// Output dims [d, d + S·kLanes) (the lanes of `mask` when kMasked, S == 1).
template <class V, int G, int S, bool kMasked>
void AccumulateSpan(const float* weights, int64_t weights_stride, const float* values, int64_t n_keys, int head_dim,
                    float* acc, int64_t acc_stride, int d, typename V::Mask mask) {
  static_assert(!kMasked || S == 1);
  constexpr int kLanes = V::kLanes;
  const auto load = [&](const float* p) { return kMasked ? V::LoadMasked(p, mask) : V::Load(p); };
  typename V::Vec sum[G][S];
  for (int g = 0; g < G; ++g) {
    for (int s = 0; s < S; ++s) sum[g][s] = load(acc + g * acc_stride + d + s * kLanes);
  }
  for (int64_t j = 0; j < n_keys; ++j) {
    const float* row = values + j * head_dim + d;
    typename V::Vec value[S];
    for (int s = 0; s < S; ++s) value[s] = load(row + s * kLanes);
    for (int g = 0; g < G; ++g) {
      const typename V::Vec weight = V::Broadcast(weights + g * weights_stride + j);
      for (int s = 0; s < S; ++s) sum[g][s] = V::MulAdd(weight, value[s], sum[g][s]);
    }
  }
  for (int g = 0; g < G; ++g) {
    for (int s = 0; s < S; ++s) {
      float* out = acc + g * acc_stride + d + s * kLanes;
      if constexpr (kMasked) {
        V::StoreMasked(out, sum[g][s], mask);
      } else {
        V::Store(out, sum[g][s]);
      }
    }
  }
}

template <class V, int G>
void Accumulate(const float* weights, int64_t weights_stride, const float* values, int64_t n_keys, int head_dim,
                float* acc, int64_t acc_stride) {
  constexpr int kLanes = V::kLanes;
  constexpr int S = V::SpanVectors(G);
  const typename V::Mask unused{};
  int d = 0;
  for (; d + S * kLanes <= head_dim; d += S * kLanes) {
    AccumulateSpan<V, G, S, false>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride, d, unused);
  }
  for (; d + kLanes <= head_dim; d += kLanes) {
    AccumulateSpan<V, G, 1, false>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride, d, unused);
  }
  if (d < head_dim) {
    AccumulateSpan<V, G, 1, true>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride, d,
                                  V::FirstLanes(head_dim - d));
  }
}

// Scores<V, G> with G = n_queries, for 1 ≤ n_queries ≤ kMaxG.
template <class V, int G, int kMaxG>
void ScoresForQueryCount(const float* q, int64_t q_stride, int n_queries, const float* keys, int64_t n_keys,
                         int head_dim, float scale, float* scores, int64_t scores_stride) {
  if constexpr (G < kMaxG) {
    if (n_queries > G) {
      return ScoresForQueryCount<V, G + 1, kMaxG>(q, q_stride, n_queries, keys, n_keys, head_dim, scale, scores,
                                                  scores_stride);
    }
  }
  Scores<V, G>(q, q_stride, keys, n_keys, head_dim, scale, scores, scores_stride);
}

// Accumulate<V, G> with G = n_queries, for 1 ≤ n_queries ≤ kMaxG.
template <class V, int G, int kMaxG>
void AccumulateForQueryCount(const float* weights, int64_t weights_stride, int n_queries, const float* values,
                             int64_t n_keys, int head_dim, float* acc, int64_t acc_stride) {
  if constexpr (G < kMaxG) {
    if (n_queries > G) {
      return AccumulateForQueryCount<V, G + 1, kMaxG>(weights, weights_stride, n_queries, values, n_keys, head_dim,
                                                      acc, acc_stride);
    }
  }
  Accumulate<V, G>(weights, weights_stride, values, n_keys, head_dim, acc, acc_stride);
}

// The AttentionChunkOps entries, for 1 ≤ n_queries ≤ 4. Scores take the
// queries at most V::kScoresQueriesPerPass at a time.
template <class V>
void ScoresEntry(const float* q, int64_t q_stride, int n_queries, const float* keys, int64_t n_keys, int head_dim,
                 float scale, float* scores, int64_t scores_stride) {
  constexpr int kPass = V::kScoresQueriesPerPass;
  for (int first = 0; first < n_queries; first += kPass) {
    const int n = n_queries - first < kPass ? n_queries - first : kPass;
    ScoresForQueryCount<V, 1, kPass>(q + first * q_stride, q_stride, n, keys, n_keys, head_dim, scale,
                                     scores + first * scores_stride, scores_stride);
  }
}

template <class V>
void AccumulateEntry(const float* weights, int64_t weights_stride, int n_queries, const float* values, int64_t n_keys,
                     int head_dim, float* acc, int64_t acc_stride) {
  AccumulateForQueryCount<V, 1, 4>(weights, weights_stride, n_queries, values, n_keys, head_dim, acc, acc_stride);
}

}  // namespace fab::runtime::simd
