// Conversion of rows between float32 and every computable dtype, bit-exact
// with ggml's reference (de)quantizers, so files we write load in llama.cpp
// and files llama.cpp writes decode here identically.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace fab::kernels {

// dst[n] = src decoded; n must be a multiple of the dtype's block size.
void DequantizeRow(DType dtype, const void* src, float* dst, int64_t n);
// dst (RowBytes(dtype, n) bytes) = src encoded, as ggml's quantize_row_*_ref.
void QuantizeRow(DType dtype, const float* src, void* dst, int64_t n);

float Fp16ToFp32(uint16_t h);
uint16_t Fp32ToFp16(float f);
float Bf16ToFp32(uint16_t h);
uint16_t Fp32ToBf16(float f);

}  // namespace fab::kernels
