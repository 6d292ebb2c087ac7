// Scalar AttentionChunkOps (the reference twin) and the run-time choice.
#include "runtime/attention_chunk.h"

#include "runtime/isa_table.h"

namespace fab::runtime {
namespace {

void ScoresScalar(const float* q, int64_t q_stride, int n_queries, const float* keys, int64_t n_keys, int head_dim,
                  float scale, float* scores, int64_t scores_stride) {
  for (int g = 0; g < n_queries; ++g) {
    for (int64_t j = 0; j < n_keys; ++j) {
      double dot = 0.0;
      for (int d = 0; d < head_dim; ++d) dot += static_cast<double>(q[g * q_stride + d]) * keys[j * head_dim + d];
      scores[g * scores_stride + j] = scale * static_cast<float>(dot);
    }
  }
}

void AccumulateScalar(const float* weights, int64_t weights_stride, int n_queries, const float* values,
                      int64_t n_keys, int head_dim, float* acc, int64_t acc_stride) {
  for (int g = 0; g < n_queries; ++g) {
    for (int d = 0; d < head_dim; ++d) {
      double sum = acc[g * acc_stride + d];
      for (int64_t j = 0; j < n_keys; ++j) sum += static_cast<double>(weights[g * weights_stride + j]) * values[j * head_dim + d];
      acc[g * acc_stride + d] = static_cast<float>(sum);
    }
  }
}

}  // namespace

const AttentionChunkOps& AttentionChunkOpsScalar() {
  static constexpr AttentionChunkOps ops{&ScoresScalar, &AccumulateScalar};
  return ops;
}

const AttentionChunkOps* AttentionChunkOpsAvx2() {
  return TableIfSupported(kernels::Isa::kAvx2, &AttentionChunkOpsAvx2Table);
}

const AttentionChunkOps* AttentionChunkOpsAvx512() {
  return TableIfSupported(kernels::Isa::kAvx512, &AttentionChunkOpsAvx512Table);
}

const AttentionChunkOps& ActiveAttentionChunkOps() {
  static const AttentionChunkOps& active =
      TableForActiveIsa(AttentionChunkOpsScalar(), &AttentionChunkOpsAvx2Table, &AttentionChunkOpsAvx512Table);
  return active;
}

}  // namespace fab::runtime
