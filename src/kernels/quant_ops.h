// QuantOps: the weight-matrix half of the kernel table. MatMul (matmul.h)
// runs one algorithm over these pointers, whichever ISA filled them:
//   integer path (quantized weights): activations quantized once per call to
//     int8 blocks; weight rows decoded a panel of kTileRows rows at a time to
//     unsigned 8-bit codes plus per-block float scales/mins; int8 dot products
//     (GEMV per row for few tokens, kTileRows x kTileTokens tiles for many).
//   float path (f32/f16/bf16 weights): float dot products / FMA tiles.
//   packed path (q4_0x16 / q8_0x16 / q4_Kx16 / q5_Kx16 / q6_Kx16, repacked at
//     load): rows in lanes, one kernel for 1..kTileTokens tokens
//     (packed_gemm_panel); the K-quants take q8_K-style activations.
// Every pointer is pure (writes only its outputs) and thread-safe. Layouts of
// the buffers they share are defined here; sizes are the caller's to provide.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace fab::kernels {

inline constexpr int kTileRows = 16;    // weight rows per panel (one zmm of floats)
inline constexpr int kTileTokens = 16;  // tokens per GEMM tile (one zmm of floats)

// How a quantized weight dtype maps onto int8 blocks: weight element =
// (code - code_offset) * scale + min, with code an unsigned byte, and one
// scale (and min) per block of block_len elements.
struct IntBlockFormat {
  int block_len = 32;    // 32, or 16 for q6_K (one scale per 16)
  int code_offset = 0;   // 8 q4_0, 16 q5_0, 128 q8_0, 32 q6_K, 0 for types with a min
  bool has_min = false;  // q4_1, q4_K, q5_K
};

// True for the dtypes the integer path handles; then `*format` is set.
bool LookupIntBlockFormat(DType dtype, IntBlockFormat* format);

// One token's quantized activations, row-major, for a weight `format`:
// q[n_in] with one scale per block_len elements: x ≈ q * scale[block].
// Per block: bias = -code_offset * Σq, scaled_sum = scale * Σq.
struct ActRow {
  int8_t* q;          // [n_in]
  float* scale;       // [n_blocks]
  int32_t* bias;      // [n_blocks]
  float* scaled_sum;  // [n_blocks]
};

// kTileTokens tokens of ActRow interleaved for the GEMM tile, per block b:
//   q [n_blocks][block_len / 4][kTileTokens][4]  (4 consecutive k per token)
//   scale, scaled_sum (float), bias (int32): [n_blocks][kTileTokens]
// Tokens past the end of the batch are all zero.
struct ActTile {
  const int8_t* q;
  const float* scale;
  const int32_t* bias;
  const float* scaled_sum;
};

// Activations of the packed K-quant kernels (kQ4_Kx16 / kQ5_Kx16 / kQ6_Kx16),
// as llama.cpp's q8_K: per 256-element super-block one float scale
// d = max|x| / 127 and q = round(x / d) in int8, plus the sums of q over each
// weight sub-block (sum_len 32 for q4_K / q5_K, whose mins multiply them; 16
// for q6_K, whose code offset 32 does), |sum| ≤ 32·127 fits int16. So a
// super-block's integer dot products need one float multiply per row, and the
// min / offset terms are int16 dot products (vpdpwssd / vpmaddwd) of the
// sub-block mins / scales with these sums. In an ActRow: q [n_in], scale
// [n_sb], bias [n_sb][KActSumPairs] int32 holding the int16 sums of sub-blocks
// 2i (low half) and 2i+1 (high half); scaled_sum unused.
inline constexpr int KActSumLength(DType packed_dtype) { return packed_dtype == DType::kQ6_Kx16 ? 16 : 32; }
inline constexpr int KActSumPairs(DType packed_dtype) { return 256 / KActSumLength(packed_dtype) / 2; }

// kTileRows decoded weight rows, block-major:
//   codes [n_blocks][kTileRows][block_len] (unsigned codes)
//   scales, mins [n_blocks][kTileRows] (mins only when format.has_min)
// Rows past the end of the matrix are all zero.
struct IntPanel {
  uint8_t* codes;
  float* scales;
  float* mins;
};

struct QuantOps {
  // Quantizes one row x[n_in] (n_in a multiple of 32) into `out`.
  void (*quantize_activation_row)(const IntBlockFormat& format, const float* x, int64_t n_in, const ActRow& out);
  // Quantizes one row x[n_in] (n_in a multiple of 256) into the q8_K-style
  // ActRow above, with sums over sum_len (16 or 32) elements. Every table
  // gives the same bytes (the same float operations, rounded to nearest even).
  void (*quantize_activation_row_k)(int sum_len, const float* x, int64_t n_in, const ActRow& out);
  // Decodes rows [0, n_rows) of `rows` (n_rows ≤ kTileRows, each row_bytes
  // long) into `panel`, zeroing rows n_rows..kTileRows-1.
  void (*decode_panel)(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t n_in,
                       const IntPanel& panel);
  // out[r] = Σ_k w[r][k] * x[k] for r < n_rows ≤ kTileRows raw weight rows
  // and one activation row; `scratch` is a panel-sized buffer the kernel may
  // decode into (streaming kernels read the raw rows directly).
  void (*int_gemv_rows)(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t n_in,
                        const ActRow& x, const IntPanel& scratch, float* out);
  // acc[r][t] = Σ_k w[r][k] * x_t[k]: acc is [kTileRows][kTileTokens].
  void (*int_gemm_tile)(const IntBlockFormat& format, const IntPanel& panel, const ActTile& x, int64_t n_blocks,
                        float* acc);
  // out[r] = row r · x for r < n_rows, rows of an f32/f16/bf16 matrix.
  void (*float_dot_rows)(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, const float* x,
                         int64_t n_in, float* out);
  // panel[k][r] = w[r][k_begin + k] as float, k < k_len, r < kTileRows
  // (rows ≥ n_rows zero).
  void (*decode_float_panel)(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t k_begin,
                             int64_t k_len, float* panel);
  // acc[r][t] += Σ_k panel[k][r] * x[k][t]: x is [k_len][kTileTokens].
  void (*float_gemm_tile)(const float* panel, const float* x, int64_t k_len, float* acc);
  // y[t * y_stride + r] = Σ_k w[r][k] * x_t[k] for the kPanelRows rows of one
  // panel of a packed dtype (packed_weights.h) of n_blocks blocks (32
  // elements; 256-element super-blocks for the K-quants) and n_tokens ≤
  // kTileTokens tokens. `x` is a dense tile of exactly n_tokens tokens (the
  // ActTile layout with n_tokens in place of kTileTokens): q
  // [n_in / 32][8][n_tokens][4]; q4_0 / q8_0: scale and bias
  // [n_blocks][n_tokens]; K-quants (q8_K-style, see KActSumLength): scale
  // [n_blocks][n_tokens], bias [n_blocks][n_tokens][KActSumPairs]; scaled_sum
  // unused. Overwrites y.
  void (*packed_gemm_panel)(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                            int n_tokens, float* y, int64_t y_stride);
  // True when packed_gemm_panel beats this table's file-layout kernels, so
  // model loading should repack the matrices packed_weights.h can pack.
  bool prefers_packed_weights = false;
};

// The scalar twins of packed_gemm_panel and quantize_activation_row_k.
void PackedGemmPanelScalar(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                           int n_tokens, float* y, int64_t y_stride);
void QuantizeActivationRowKScalar(int sum_len, const float* x, int64_t n_in, const ActRow& out);
void PackedGemmPanelKScalar(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                            int n_tokens, float* y, int64_t y_stride);
// The AVX-512 VNNI kernel (quant_ops_packed_avx512.cc); call only on CPUs
// that run the AVX-512 table.
void PackedGemmPanelAvx512(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                           int n_tokens, float* y, int64_t y_stride);
// Its K-quant half (quant_ops_packed_k_avx512.cc) and q8_K-style quantizer.
void PackedGemmPanelKAvx512(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                            int n_tokens, float* y, int64_t y_stride);
void QuantizeActivationRowKAvx512(int sum_len, const float* x, int64_t n_in, const ActRow& out);

// The AVX2 kernel (quant_ops_packed_avx2.cc); call only on CPUs that run
// the AVX2 table.
void PackedGemmPanelAvx2(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                         int n_tokens, float* y, int64_t y_stride);
// Its K-quant half (quant_ops_packed_k_avx2.cc) and q8_K-style quantizer.
void PackedGemmPanelKAvx2(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                          int n_tokens, float* y, int64_t y_stride);
void QuantizeActivationRowKAvx2(int sum_len, const float* x, int64_t n_in, const ActRow& out);

QuantOps MakeQuantOpsScalar();
QuantOps MakeQuantOpsAvx2();
QuantOps MakeQuantOpsAvx512();

}  // namespace fab::kernels
