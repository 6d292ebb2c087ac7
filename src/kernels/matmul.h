// Matrix products over weights of any computable dtype, parallel over a pool.
// The hot path of every forward pass: one call per weight matrix per step.
#pragma once

#include <cstdint>

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

}  // namespace fab::kernels
