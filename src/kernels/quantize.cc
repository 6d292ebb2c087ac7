// Scalar reference (de)quantizers for every computable dtype (see quantize.h).
// Rounding follows ggml's reference code exactly where the quantizer is meant
// to be byte-identical: roundf for q8_0, truncation of x + 8.5 for q4_0, ...
#include "kernels/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/check.h"
#include "kernels/quant_blocks.h"
#include "kernels/quant_decode-inl.h"

namespace fab::kernels {
namespace {

uint32_t FloatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

float BitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

// Round-half-to-even, as ggml's nearest_int (valid for |x| < 2^22).
int NearestInt(float x) { return static_cast<int>(std::nearbyint(x)); }

// Signed value with the largest magnitude (the first one on ties), as ggml.
float SignedAbsMax(const float* x, int n) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void QuantizeQ8_0(const float* x, BlockQ8_0* y, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, x += kQk32) {
    float amax = 0.0f;
    for (int j = 0; j < kQk32; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = Fp32ToFp16(d);
    for (int j = 0; j < kQk32; ++j) y[b].qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
  }
}

void QuantizeQ4_0(const float* x, BlockQ4_0* y, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, x += kQk32) {
    const float d = SignedAbsMax(x, kQk32) / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = Fp32ToFp16(d);
    for (int j = 0; j < 16; ++j) {
      const int lo = std::min(15, static_cast<int>(x[j] * id + 8.5f));
      const int hi = std::min(15, static_cast<int>(x[16 + j] * id + 8.5f));
      y[b].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

void QuantizeQ4_1(const float* x, BlockQ4_1* y, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, x += kQk32) {
    float min = x[0];
    float max = x[0];
    for (int j = 1; j < kQk32; ++j) {
      min = std::min(min, x[j]);
      max = std::max(max, x[j]);
    }
    const float d = (max - min) / 15.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = Fp32ToFp16(d);
    y[b].m = Fp32ToFp16(min);
    for (int j = 0; j < 16; ++j) {
      const int lo = std::min(15, static_cast<int>((x[j] - min) * id + 0.5f));
      const int hi = std::min(15, static_cast<int>((x[16 + j] - min) * id + 0.5f));
      y[b].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

void QuantizeQ5_0(const float* x, BlockQ5_0* y, int64_t n_blocks) {
  for (int64_t b = 0; b < n_blocks; ++b, x += kQk32) {
    const float d = SignedAbsMax(x, kQk32) / -16.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = Fp32ToFp16(d);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
      const int lo = std::min(31, static_cast<int>(x[j] * id + 16.5f));
      const int hi = std::min(31, static_cast<int>(x[16 + j] * id + 16.5f));
      y[b].qs[j] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
      qh |= static_cast<uint32_t>((lo >> 4) & 1) << j;
      qh |= static_cast<uint32_t>((hi >> 4) & 1) << (j + 16);
    }
    std::memcpy(y[b].qh, &qh, sizeof(qh));
  }
}

// Shared by q4_K (n_levels 15) and q5_K (31): one-pass min/max scale search
// per 32-element sub-block, 6-bit scales and mins, then requantization with
// the rounded scales. Writes d, dmin, scales and levels[256].
void QuantizeSuperBlockK(const float* x, int n_levels, uint16_t* d_out, uint16_t* dmin_out, uint8_t* scales,
                         uint8_t* levels) {
  float sub_scale[8];
  float sub_min[8];
  float max_scale = 0.0f;
  float max_min = 0.0f;
  for (int j = 0; j < 8; ++j) {
    const float* sub = x + 32 * j;
    float min = sub[0];
    float max = sub[0];
    for (int i = 1; i < 32; ++i) {
      min = std::min(min, sub[i]);
      max = std::max(max, sub[i]);
    }
    min = std::min(min, 0.0f);
    sub_scale[j] = (max - min) / n_levels;
    sub_min[j] = -min;
    max_scale = std::max(max_scale, sub_scale[j]);
    max_min = std::max(max_min, sub_min[j]);
  }
  const float inv_scale = max_scale > 0.0f ? 63.0f / max_scale : 0.0f;
  const float inv_min = max_min > 0.0f ? 63.0f / max_min : 0.0f;
  std::memset(scales, 0, 12);
  uint8_t ls[8];
  uint8_t lm[8];
  for (int j = 0; j < 8; ++j) {
    ls[j] = static_cast<uint8_t>(std::min(63, NearestInt(inv_scale * sub_scale[j])));
    lm[j] = static_cast<uint8_t>(std::min(63, NearestInt(inv_min * sub_min[j])));
    if (j < 4) {
      scales[j] = ls[j];
      scales[j + 4] = lm[j];
    } else {
      scales[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
      scales[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
      scales[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
    }
  }
  *d_out = Fp32ToFp16(max_scale / 63.0f);
  *dmin_out = Fp32ToFp16(max_min / 63.0f);
  const float d = Fp16ToFp32(*d_out);
  const float dmin = Fp16ToFp32(*dmin_out);
  for (int j = 0; j < 8; ++j) {
    const float sub_d = d * ls[j];
    const float sub_m = dmin * lm[j];
    for (int i = 0; i < 32; ++i) {
      int level = sub_d != 0.0f ? NearestInt((x[32 * j + i] + sub_m) / sub_d) : 0;
      levels[32 * j + i] = static_cast<uint8_t>(std::clamp(level, 0, n_levels));
    }
  }
}

void QuantizeQ4_K(const float* x, BlockQ4_K* y, int64_t n_blocks) {
  uint8_t levels[kQkK];
  for (int64_t b = 0; b < n_blocks; ++b, x += kQkK) {
    QuantizeSuperBlockK(x, 15, &y[b].d, &y[b].dmin, y[b].scales, levels);
    for (int chunk = 0; chunk < 4; ++chunk) {
      for (int l = 0; l < 32; ++l) {
        y[b].qs[32 * chunk + l] = static_cast<uint8_t>(levels[64 * chunk + l] | (levels[64 * chunk + 32 + l] << 4));
      }
    }
  }
}

void QuantizeQ5_K(const float* x, BlockQ5_K* y, int64_t n_blocks) {
  uint8_t levels[kQkK];
  for (int64_t b = 0; b < n_blocks; ++b, x += kQkK) {
    QuantizeSuperBlockK(x, 31, &y[b].d, &y[b].dmin, y[b].scales, levels);
    std::memset(y[b].qh, 0, sizeof(y[b].qh));
    for (int chunk = 0; chunk < 4; ++chunk) {
      for (int l = 0; l < 32; ++l) {
        const int first = levels[64 * chunk + l];
        const int second = levels[64 * chunk + 32 + l];
        y[b].qs[32 * chunk + l] = static_cast<uint8_t>((first & 0xF) | ((second & 0xF) << 4));
        y[b].qh[l] |= static_cast<uint8_t>(((first >> 4) << (2 * chunk)) | ((second >> 4) << (2 * chunk + 1)));
      }
    }
  }
}

void QuantizeQ6_K(const float* x, BlockQ6_K* y, int64_t n_blocks) {
  uint8_t levels[kQkK];
  for (int64_t b = 0; b < n_blocks; ++b, x += kQkK) {
    float sub_scale[16];
    float max_abs_scale = 0.0f;
    float max_scale = 0.0f;
    for (int s = 0; s < 16; ++s) {
      sub_scale[s] = SignedAbsMax(x + 16 * s, 16) / -32.0f;
      if (std::fabs(sub_scale[s]) > max_abs_scale) {
        max_abs_scale = std::fabs(sub_scale[s]);
        max_scale = sub_scale[s];
      }
    }
    std::memset(&y[b], 0, sizeof(y[b]));
    if (max_abs_scale == 0.0f) continue;
    const float iscale = -128.0f / max_scale;
    y[b].d = Fp32ToFp16(1.0f / iscale);
    const float d = Fp16ToFp32(y[b].d);
    for (int s = 0; s < 16; ++s) {
      y[b].scales[s] = static_cast<int8_t>(std::min(127, NearestInt(iscale * sub_scale[s])));
      const float sub_d = d * y[b].scales[s];
      for (int i = 0; i < 16; ++i) {
        const int level = sub_d != 0.0f ? NearestInt(x[16 * s + i] / sub_d) : 0;
        levels[16 * s + i] = static_cast<uint8_t>(std::clamp(level, -32, 31) + 32);
      }
    }
    for (int half = 0; half < 2; ++half) {
      const uint8_t* l = levels + 128 * half;
      uint8_t* ql = y[b].ql + 64 * half;
      uint8_t* qh = y[b].qh + 32 * half;
      for (int i = 0; i < 32; ++i) {
        ql[i] = static_cast<uint8_t>((l[i] & 0xF) | ((l[i + 64] & 0xF) << 4));
        ql[i + 32] = static_cast<uint8_t>((l[i + 32] & 0xF) | ((l[i + 96] & 0xF) << 4));
        qh[i] = static_cast<uint8_t>((l[i] >> 4) | ((l[i + 32] >> 4) << 2) | ((l[i + 64] >> 4) << 4) |
                                     ((l[i + 96] >> 4) << 6));
      }
    }
  }
}

}  // namespace

float Fp16ToFp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1F;
  const uint32_t mantissa = h & 0x3FF;
  if (exponent == 0x1F) return BitsToFloat(sign | 0x7F800000 | (mantissa << 13));
  if (exponent != 0) return BitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  // Zero or subnormal: mantissa * 2^-24 is exact in float.
  const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
  return BitsToFloat(sign | FloatBits(magnitude));
}

uint16_t Fp32ToFp16(float f) {
  uint32_t bits = FloatBits(f);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  bits &= 0x7FFFFFFF;
  if (bits > 0x7F800000) return sign | 0x7E00 | static_cast<uint16_t>((bits >> 13) & 0x3FF);  // quiet NaN
  if (bits >= 0x47800000) return sign | 0x7C00;  // ≥ 65536: infinity
  if (bits >= 0x38800000) {                      // normal half (≥ 2^-14)
    const uint32_t rounded = bits - (112u << 23) + 0xFFF + ((bits >> 13) & 1);
    return sign | static_cast<uint16_t>(rounded >> 13);  // carries into the exponent (even to inf)
  }
  // Subnormal half: adding 0.5 makes the FPU round to a multiple of 2^-24.
  const float shifted = BitsToFloat(bits) + 0.5f;
  return sign | static_cast<uint16_t>(FloatBits(shifted) - 0x3F000000);
}

float Bf16ToFp32(uint16_t h) { return BitsToFloat(static_cast<uint32_t>(h) << 16); }

uint16_t Fp32ToBf16(float f) {
  const uint32_t bits = FloatBits(f);
  if ((bits & 0x7FFFFFFF) > 0x7F800000) return static_cast<uint16_t>((bits >> 16) | 0x40);  // quiet NaN
  return static_cast<uint16_t>((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}

float LoadFp16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, sizeof(h));
  return Fp16ToFp32(h);
}

void DequantizeRow(DType dtype, const void* src, float* dst, int64_t n) {
  const DTypeInfo& info = GetDTypeInfo(dtype);
  FAB_CHECK(info.computable && n % info.block_size == 0) << "DequantizeRow " << info.name << " n=" << n;
  FAB_CHECK(info.in_files) << "DequantizeRow over the panel layout " << info.name << " (rows are interleaved)";
  const auto* bytes = static_cast<const uint8_t*>(src);
  switch (dtype) {
    case DType::kF32: std::memcpy(dst, src, n * sizeof(float)); return;
    case DType::kF16:
    case DType::kBF16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, bytes + 2 * i, sizeof(h));
        dst[i] = dtype == DType::kF16 ? Fp16ToFp32(h) : Bf16ToFp32(h);
      }
      return;
    default: break;
  }
  IntBlockFormat format;
  LookupIntBlockFormat(dtype, &format);
  uint8_t codes[kQkK];
  float scales[16];
  float mins[16];
  for (int64_t wb = 0; wb < n / info.block_size; ++wb) {
    DecodeWeightBlock(dtype, bytes + wb * info.type_size, codes, scales, mins);
    for (int64_t i = 0; i < info.block_size; ++i) {
      const int sub = static_cast<int>(i / format.block_len);
      float* out = dst + wb * info.block_size + i;
      if (format.has_min) {
        *out = static_cast<float>(codes[i]) * scales[sub] + mins[sub];
      } else {
        *out = static_cast<float>(codes[i] - format.code_offset) * scales[sub];
      }
    }
  }
}

void QuantizeRow(DType dtype, const float* src, void* dst, int64_t n) {
  const DTypeInfo& info = GetDTypeInfo(dtype);
  FAB_CHECK(info.computable && n % info.block_size == 0) << "QuantizeRow " << info.name << " n=" << n;
  const int64_t n_blocks = n / info.block_size;
  switch (dtype) {
    case DType::kF32: std::memcpy(dst, src, n * sizeof(float)); return;
    case DType::kF16: {
      auto* out = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) out[i] = Fp32ToFp16(src[i]);
      return;
    }
    case DType::kBF16: {
      auto* out = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) out[i] = Fp32ToBf16(src[i]);
      return;
    }
    case DType::kQ8_0: return QuantizeQ8_0(src, static_cast<BlockQ8_0*>(dst), n_blocks);
    case DType::kQ4_0: return QuantizeQ4_0(src, static_cast<BlockQ4_0*>(dst), n_blocks);
    case DType::kQ4_1: return QuantizeQ4_1(src, static_cast<BlockQ4_1*>(dst), n_blocks);
    case DType::kQ5_0: return QuantizeQ5_0(src, static_cast<BlockQ5_0*>(dst), n_blocks);
    case DType::kQ4_K: return QuantizeQ4_K(src, static_cast<BlockQ4_K*>(dst), n_blocks);
    case DType::kQ5_K: return QuantizeQ5_K(src, static_cast<BlockQ5_K*>(dst), n_blocks);
    case DType::kQ6_K: return QuantizeQ6_K(src, static_cast<BlockQ6_K*>(dst), n_blocks);
    default: FAB_CHECK(false) << "QuantizeRow: no quantizer for " << info.name;
  }
}

}  // namespace fab::kernels
