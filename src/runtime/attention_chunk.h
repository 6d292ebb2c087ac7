// AttentionChunkOps: the inner loops of PagedAttention over one chunk of
// float32 keys and values of one KV head, for up to kMaxQueries query heads
// at once (the heads of a GQA group share each load of a key or value row).
// One table per instruction set, chosen once like KvCodec: AVX-512 or AVX2
// where the kernel dispatch runs that ISA, else the scalar twin (double
// accumulation) that tests compare them with. Pure and reentrant; no
// alignment needed.
#pragma once

#include <cstdint>

namespace fab::runtime {

struct AttentionChunkOps {
  static constexpr int kMaxQueries = 4;

  // scores[g * scores_stride + j] = scale · Σ_d q[g * q_stride + d] · keys[j * head_dim + d]
  // for g < n_queries (1..kMaxQueries), j < n_keys.
  void (*scores)(const float* q, int64_t q_stride, int n_queries, const float* keys, int64_t n_keys, int head_dim,
                 float scale, float* scores, int64_t scores_stride);
  // acc[g * acc_stride + d] += Σ_j weights[g * weights_stride + j] · values[j * head_dim + d]
  // for g < n_queries, d < head_dim.
  void (*accumulate)(const float* weights, int64_t weights_stride, int n_queries, const float* values,
                     int64_t n_keys, int head_dim, float* acc, int64_t acc_stride);
};

const AttentionChunkOps& AttentionChunkOpsScalar();
// nullptr when this CPU cannot run AVX2 (with FMA and F16C) kernels.
const AttentionChunkOps* AttentionChunkOpsAvx2();
// nullptr when this CPU cannot run AVX-512.
const AttentionChunkOps* AttentionChunkOpsAvx512();
const AttentionChunkOps& ActiveAttentionChunkOps();

// Implementation details: the constant tables of attention_chunk_avx2.cc and
// attention_chunk_avx512.cc.
const AttentionChunkOps* AttentionChunkOpsAvx2Table();
const AttentionChunkOps* AttentionChunkOpsAvx512Table();

}  // namespace fab::runtime
