// Matrix products over weights of any computable dtype, parallel over a pool.
// The hot path of every forward pass: one call per weight matrix per step.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/dispatch.h"
#include "platform/thread_pool.h"
#include "tensor/tensor_view.h"

namespace fab::kernels {

// y [n_tokens, n_out] = x [n_tokens, n_in] · wᵀ, where w is [n_out rows of
// n_in] (w.ne[0] = n_in, w.ne[1] = n_out). x and y are dense float32, row
// major; y must not alias x. Quantized weights quantize x internally (once
// per call). Packed weights (packed_weights.h) must have a multiple of 16
// rows. Uses ActiveKernels(), or `table` when given.
void MatMul(const TensorView& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool);
void MatMul(const KernelTable& table, const TensorView& w, const float* x, int64_t n_tokens, float* y,
            ThreadPool& pool);

// One product of a grouped call: y [n_tokens, w.n_rows()] =
// x [n_tokens, w.row_length()] · wᵀ, as MatMul computes it.
struct MatMulTask {
  TensorView w;
  const float* x = nullptr;
  int64_t n_tokens = 0;
  float* y = nullptr;
};

// Every task, as one parallel job: the products of a mixture-of-experts step
// (a few tokens for each of many small matrices), where a MatMul per task
// would spend as long waking the pool as multiplying. Tasks over packed
// weights share one quantization pass and one job over all their
// (panel, token tile) pairs, and a task whose x, n_tokens, dtype and width
// equal the previous task's reuses its quantized activations; tasks over
// other layouts run as MatMul, one after another. Results equal MatMul's
// bit for bit. No y may alias any x or another y.
void MatMulGrouped(std::span<const MatMulTask> tasks, ThreadPool& pool);
void MatMulGrouped(const KernelTable& table, std::span<const MatMulTask> tasks, ThreadPool& pool);

}  // namespace fab::kernels
