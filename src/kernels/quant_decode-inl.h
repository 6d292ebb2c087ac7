// Scalar decoders of ggml weight blocks into the integer path's form: unsigned
// codes plus one float scale (and min) per IntBlockFormat::block_len elements,
// so that element = (code - code_offset) * scale + min, bit-exact with ggml's
// dequantizers. Included by quantize.cc and by each ISA's quant_ops file (as
// their fallback): everything here has internal linkage, so each translation
// unit keeps its own copy compiled for its own instruction set.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/quant_blocks.h"
#include "kernels/quant_ops.h"
#include "kernels/quantize.h"

namespace fab::kernels {
namespace {  // NOLINT: per-ISA copies on purpose (see above)

inline float ReadFp16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, sizeof(h));
  return Fp16ToFp32(h);
}

inline void UnpackScaleMinK4(int j, const uint8_t* scales, int* scale, int* min) {
  if (j < 4) {
    *scale = scales[j] & 63;
    *min = scales[j + 4] & 63;
  } else {
    *scale = (scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4);
    *min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
  }
}

// Decodes the weight block at `src` of `dtype` (32 or 256 elements): codes[],
// and scales[]/mins[] with one entry per format block (mins may be null for
// types without a min).
inline void DecodeWeightBlock(DType dtype, const uint8_t* src, uint8_t* codes, float* scales, float* mins) {
  switch (dtype) {
    case DType::kQ4_0:
    case DType::kQ4_1: {
      const int qs_offset = dtype == DType::kQ4_0 ? 2 : 4;
      scales[0] = ReadFp16(src);
      if (dtype == DType::kQ4_1) mins[0] = ReadFp16(src + 2);
      for (int j = 0; j < 16; ++j) {
        codes[j] = src[qs_offset + j] & 0xF;
        codes[16 + j] = src[qs_offset + j] >> 4;
      }
      return;
    }
    case DType::kQ5_0: {
      scales[0] = ReadFp16(src);
      uint32_t qh;
      std::memcpy(&qh, src + 2, sizeof(qh));
      for (int j = 0; j < 16; ++j) {
        codes[j] = static_cast<uint8_t>((src[6 + j] & 0xF) | (((qh >> j) & 1) << 4));
        codes[16 + j] = static_cast<uint8_t>((src[6 + j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
      }
      return;
    }
    case DType::kQ8_0: {
      scales[0] = ReadFp16(src);
      for (int j = 0; j < 32; ++j) codes[j] = static_cast<uint8_t>(src[2 + j] ^ 0x80);
      return;
    }
    case DType::kQ4_K:
    case DType::kQ5_K: {
      const bool five_bit = dtype == DType::kQ5_K;
      const float d = ReadFp16(src);
      const float dmin = ReadFp16(src + 2);
      const uint8_t* packed = src + 4;
      const uint8_t* qh = src + 16;
      const uint8_t* qs = src + (five_bit ? 48 : 16);
      for (int sub = 0; sub < 8; ++sub) {
        int scale, min;
        UnpackScaleMinK4(sub, packed, &scale, &min);
        scales[sub] = d * static_cast<float>(scale);
        mins[sub] = -(dmin * static_cast<float>(min));
      }
      for (int chunk = 0; chunk < 4; ++chunk) {
        for (int l = 0; l < 32; ++l) {
          const uint8_t q = qs[32 * chunk + l];
          int first = q & 0xF;
          int second = q >> 4;
          if (five_bit) {
            first |= ((qh[l] >> (2 * chunk)) & 1) << 4;
            second |= ((qh[l] >> (2 * chunk + 1)) & 1) << 4;
          }
          codes[64 * chunk + l] = static_cast<uint8_t>(first);
          codes[64 * chunk + 32 + l] = static_cast<uint8_t>(second);
        }
      }
      return;
    }
    case DType::kQ6_K: {
      const uint8_t* ql = src;
      const uint8_t* qh = src + 128;
      const auto* sub_scales = reinterpret_cast<const int8_t*>(src + 192);
      const float d = ReadFp16(src + 208);
      for (int sub = 0; sub < 16; ++sub) scales[sub] = d * static_cast<float>(sub_scales[sub]);
      for (int half = 0; half < 2; ++half) {
        const uint8_t* l_lo = ql + 64 * half;
        const uint8_t* h = qh + 32 * half;
        uint8_t* out = codes + 128 * half;
        for (int l = 0; l < 32; ++l) {
          out[l] = static_cast<uint8_t>((l_lo[l] & 0xF) | ((h[l] & 3) << 4));
          out[l + 32] = static_cast<uint8_t>((l_lo[l + 32] & 0xF) | (((h[l] >> 2) & 3) << 4));
          out[l + 64] = static_cast<uint8_t>((l_lo[l] >> 4) | (((h[l] >> 4) & 3) << 4));
          out[l + 96] = static_cast<uint8_t>((l_lo[l + 32] >> 4) | (((h[l] >> 6) & 3) << 4));
        }
      }
      return;
    }
    default: return;
  }
}

// Scalar panel decoder (the reference; ISA files use it for cold dtypes).
inline void DecodePanelScalar(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t n_in,
                              const IntPanel& panel) {
  IntBlockFormat format;
  LookupIntBlockFormat(dtype, &format);
  const DTypeInfo& info = GetDTypeInfo(dtype);
  const int len = format.block_len;
  const int subs_per_block = static_cast<int>(info.block_size / len);
  uint8_t codes[kQkK];
  float scales[16];
  float mins[16];
  for (int r = 0; r < kTileRows; ++r) {
    for (int64_t wb = 0; wb < n_in / info.block_size; ++wb) {
      if (r < n_rows) {
        DecodeWeightBlock(dtype, rows + r * row_bytes + wb * info.type_size, codes, scales, mins);
      } else {
        std::memset(codes, 0, sizeof(codes));
        for (int s = 0; s < 16; ++s) scales[s] = mins[s] = 0.0f;
      }
      for (int s = 0; s < subs_per_block; ++s) {
        const int64_t b = wb * subs_per_block + s;
        std::memcpy(panel.codes + (b * kTileRows + r) * len, codes + s * len, len);
        panel.scales[b * kTileRows + r] = scales[s];
        if (format.has_min) panel.mins[b * kTileRows + r] = mins[s];
      }
    }
  }
}

}  // namespace
}  // namespace fab::kernels
