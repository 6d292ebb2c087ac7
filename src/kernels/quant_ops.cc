// Scalar reference twins of QuantOps: plain loops over the layouts defined in
// quant_ops.h. Integer sums are exact; float sums are accumulated in double,
// so every vector variant is compared against the most exact order.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/packed_weights.h"
#include "kernels/quant_decode-inl.h"
#include "kernels/quant_ops.h"
#include "kernels/quantize.h"

namespace fab::kernels {

bool LookupIntBlockFormat(DType dtype, IntBlockFormat* format) {
  switch (dtype) {
    case DType::kQ4_0: *format = {32, 8, false}; return true;
    case DType::kQ4_1: *format = {32, 0, true}; return true;
    case DType::kQ5_0: *format = {32, 16, false}; return true;
    case DType::kQ8_0: *format = {32, 128, false}; return true;
    case DType::kQ4_K: *format = {32, 0, true}; return true;
    case DType::kQ5_K: *format = {32, 0, true}; return true;
    case DType::kQ6_K: *format = {16, 32, false}; return true;
    default: return false;
  }
}

namespace {

void QuantizeActivationRowScalar(const IntBlockFormat& format, const float* x, int64_t n_in, const ActRow& out) {
  const int subs_per_group = 32 / format.block_len;
  for (int64_t group = 0; group < n_in / 32; ++group) {
    const float* xg = x + group * 32;
    float amax = 0.0f;
    for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(xg[i]));
    const float scale = amax / 127.0f;
    const float inv_scale = scale != 0.0f ? 1.0f / scale : 0.0f;
    for (int s = 0; s < subs_per_group; ++s) {
      const int64_t block = group * subs_per_group + s;
      int32_t sum = 0;
      for (int i = 0; i < format.block_len; ++i) {
        const int64_t k = block * format.block_len + i;
        const int q = static_cast<int>(std::nearbyint(x[k] * inv_scale));
        out.q[k] = static_cast<int8_t>(q);
        sum += q;
      }
      out.scale[block] = scale;
      out.bias[block] = -format.code_offset * sum;
      out.scaled_sum[block] = scale * static_cast<float>(sum);
    }
  }
}

void IntGemvPanelScalar(const IntBlockFormat& format, const IntPanel& panel, const ActRow& x, int64_t n_blocks,
                        float* out) {
  const int len = format.block_len;
  for (int r = 0; r < kTileRows; ++r) {
    double acc = 0.0;
    for (int64_t b = 0; b < n_blocks; ++b) {
      const uint8_t* codes = panel.codes + (b * kTileRows + r) * len;
      const int8_t* q = x.q + b * len;
      int32_t isum = x.bias[b];
      for (int i = 0; i < len; ++i) isum += codes[i] * q[i];
      acc += static_cast<double>(isum) * (panel.scales[b * kTileRows + r] * x.scale[b]);
      if (format.has_min) acc += static_cast<double>(panel.mins[b * kTileRows + r]) * x.scaled_sum[b];
    }
    out[r] = static_cast<float>(acc);
  }
}

void IntGemvRowsScalar(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t n_in,
                       const ActRow& x, const IntPanel& scratch, float* out) {
  IntBlockFormat format;
  LookupIntBlockFormat(dtype, &format);
  DecodePanelScalar(dtype, rows, row_bytes, n_rows, n_in, scratch);
  float all_rows[kTileRows];
  IntGemvPanelScalar(format, scratch, x, n_in / format.block_len, all_rows);
  std::memcpy(out, all_rows, n_rows * sizeof(float));
}

void IntGemmTileScalar(const IntBlockFormat& format, const IntPanel& panel, const ActTile& x, int64_t n_blocks,
                       float* acc) {
  const int len = format.block_len;
  for (int r = 0; r < kTileRows; ++r) {
    for (int t = 0; t < kTileTokens; ++t) {
      double sum = 0.0;
      for (int64_t b = 0; b < n_blocks; ++b) {
        const uint8_t* codes = panel.codes + (b * kTileRows + r) * len;
        const int8_t* q = x.q + b * len * kTileTokens;
        int32_t isum = x.bias[b * kTileTokens + t];
        for (int i = 0; i < len; ++i) isum += codes[i] * q[(i / 4) * kTileTokens * 4 + t * 4 + i % 4];
        sum += static_cast<double>(isum) * (panel.scales[b * kTileRows + r] * x.scale[b * kTileTokens + t]);
        if (format.has_min) {
          sum += static_cast<double>(panel.mins[b * kTileRows + r]) * x.scaled_sum[b * kTileTokens + t];
        }
      }
      acc[r * kTileTokens + t] = static_cast<float>(sum);
    }
  }
}

float LoadFloatElement(DType dtype, const uint8_t* row, int64_t k) {
  if (dtype == DType::kF32) {
    float value;
    std::memcpy(&value, row + 4 * k, sizeof(value));
    return value;
  }
  uint16_t h;
  std::memcpy(&h, row + 2 * k, sizeof(h));
  return dtype == DType::kF16 ? Fp16ToFp32(h) : Bf16ToFp32(h);
}

void FloatDotRowsScalar(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, const float* x,
                        int64_t n_in, float* out) {
  for (int r = 0; r < n_rows; ++r) {
    double acc = 0.0;
    for (int64_t k = 0; k < n_in; ++k) acc += static_cast<double>(LoadFloatElement(dtype, rows + r * row_bytes, k)) * x[k];
    out[r] = static_cast<float>(acc);
  }
}

void DecodeFloatPanelScalar(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t k_begin,
                            int64_t k_len, float* panel) {
  for (int64_t k = 0; k < k_len; ++k) {
    for (int r = 0; r < kTileRows; ++r) {
      panel[k * kTileRows + r] = r < n_rows ? LoadFloatElement(dtype, rows + r * row_bytes, k_begin + k) : 0.0f;
    }
  }
}

void FloatGemmTileScalar(const float* panel, const float* x, int64_t k_len, float* acc) {
  for (int r = 0; r < kTileRows; ++r) {
    for (int t = 0; t < kTileTokens; ++t) {
      double sum = 0.0;
      for (int64_t k = 0; k < k_len; ++k) {
        sum += static_cast<double>(panel[k * kTileRows + r]) * x[k * kTileTokens + t];
      }
      acc[r * kTileTokens + t] += static_cast<float>(sum);
    }
  }
}

}  // namespace

void PackedGemmPanelScalar(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                           int n_tokens, float* y, int64_t y_stride) {
  if (IsPackedKQuant(packed_dtype)) {
    return PackedGemmPanelKScalar(packed_dtype, panel, n_blocks, x, n_tokens, y, y_stride);
  }
  const int64_t record_bytes = PackedRecordBytes(packed_dtype);
  for (int t = 0; t < n_tokens; ++t) {
    for (int r = 0; r < kPanelRows; ++r) {
      double sum = 0.0;
      for (int64_t b = 0; b < n_blocks; ++b) {
        const uint8_t* record = panel + b * record_bytes;
        const int8_t* q = x.q + b * kQk32 * n_tokens;
        int32_t isum = x.bias[b * n_tokens + t];
        for (int k = 0; k < kQk32; ++k) {
          isum += PackedCode(packed_dtype, record, r, k) * q[(k / 4) * n_tokens * 4 + t * 4 + k % 4];
        }
        sum += static_cast<double>(isum) * (LoadFp16(record + 2 * r) * x.scale[b * n_tokens + t]);
      }
      y[t * y_stride + r] = static_cast<float>(sum);
    }
  }
}

QuantOps MakeQuantOpsScalar() {
  QuantOps ops;
  ops.quantize_activation_row = QuantizeActivationRowScalar;
  ops.quantize_activation_row_k = QuantizeActivationRowKScalar;
  ops.decode_panel = DecodePanelScalar;
  ops.int_gemv_rows = IntGemvRowsScalar;
  ops.int_gemm_tile = IntGemmTileScalar;
  ops.float_dot_rows = FloatDotRowsScalar;
  ops.decode_float_panel = DecodeFloatPanelScalar;
  ops.float_gemm_tile = FloatGemmTileScalar;
  ops.packed_gemm_panel = PackedGemmPanelScalar;
  return ops;
}

}  // namespace fab::kernels
