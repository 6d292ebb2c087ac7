// Conversion of rows between float32 and every computable dtype, bit-exact
// with ggml's block layouts, so files we write load in llama.cpp and files
// llama.cpp writes decode here identically. Dequantizers are exact; the
// q4_0/q4_1/q5_0/q8_0 quantizers reproduce ggml's reference bytes; the K-quant
// quantizers use a simpler one-pass scale search (same layout, sane error).
// All functions are pure and thread-safe; they never allocate.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace fab::kernels {

// dst[n] = src decoded; n must be a multiple of the dtype's block size and the
// dtype computable (programmer errors: checked).
void DequantizeRow(DType dtype, const void* src, float* dst, int64_t n);
// dst (RowBytes(dtype, n) bytes) = src encoded, as ggml's quantize_row_*_ref.
void QuantizeRow(DType dtype, const float* src, void* dst, int64_t n);

// IEEE binary16 / bfloat16 conversions, round-to-nearest-even; NaN stays NaN.
float Fp16ToFp32(uint16_t h);
uint16_t Fp32ToFp16(float f);
float Bf16ToFp32(uint16_t h);
uint16_t Fp32ToBf16(float f);

// Reads the little-endian fp16 at `p` (no alignment needed).
float LoadFp16(const uint8_t* p);

}  // namespace fab::kernels
