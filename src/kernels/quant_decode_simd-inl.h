// Panel decoders for the hot weight dtypes (q4_0, q8_0, q4_K, q6_K) written
// with AVX2 + F16C intrinsics, shared by the AVX2 and AVX-512 QuantOps files;
// other dtypes fall back to the scalar decoder. Internal linkage on purpose:
// each ISA translation unit compiles its own copy with its own flags.
#pragma once

#include <immintrin.h>

#include <cstring>

#include "kernels/quant_decode-inl.h"
#include "kernels/quant_ops.h"

namespace fab::kernels {
namespace {  // NOLINT: per-ISA copies on purpose (see above)

inline float HalfToFloat(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, sizeof(h));
  return _cvtsh_ss(h);
}

inline int32_t LoadDword(const uint8_t* p) {
  int32_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

// 16 packed bytes → 32 codes: low nibbles first, then high nibbles.
inline __m256i SplitNibbles(__m128i packed) {
  const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(packed), _mm_srli_epi16(packed, 4), 1);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

inline void DecodeQ4_0Row(const uint8_t* row, int64_t n_blocks, int r, const IntPanel& panel) {
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* block = row + b * sizeof(BlockQ4_0);
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 2));
    _mm256_store_si256(reinterpret_cast<__m256i*>(panel.codes + (b * kTileRows + r) * 32), SplitNibbles(packed));
    panel.scales[b * kTileRows + r] = HalfToFloat(block);
  }
}

inline void DecodeQ8_0Row(const uint8_t* row, int64_t n_blocks, int r, const IntPanel& panel) {
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* block = row + b * sizeof(BlockQ8_0);
    const __m256i values = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
    _mm256_store_si256(reinterpret_cast<__m256i*>(panel.codes + (b * kTileRows + r) * 32),
                       _mm256_xor_si256(values, flip));
    panel.scales[b * kTileRows + r] = HalfToFloat(block);
  }
}

inline void DecodeQ4_KRow(const uint8_t* row, int64_t n_super, int r, const IntPanel& panel) {
  const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
  for (int64_t sb = 0; sb < n_super; ++sb) {
    const uint8_t* block = row + sb * sizeof(BlockQ4_K);
    const float d = HalfToFloat(block);
    const float dmin = HalfToFloat(block + 2);
    for (int sub = 0; sub < 8; ++sub) {
      int scale, min;
      UnpackScaleMinK4(sub, block + 4, &scale, &min);
      panel.scales[(sb * 8 + sub) * kTileRows + r] = d * static_cast<float>(scale);
      panel.mins[(sb * 8 + sub) * kTileRows + r] = -(dmin * static_cast<float>(min));
    }
    for (int chunk = 0; chunk < 4; ++chunk) {
      const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16 + 32 * chunk));
      const int64_t b = sb * 8 + 2 * chunk;
      _mm256_store_si256(reinterpret_cast<__m256i*>(panel.codes + (b * kTileRows + r) * 32),
                         _mm256_and_si256(packed, low_nibbles));
      _mm256_store_si256(reinterpret_cast<__m256i*>(panel.codes + ((b + 1) * kTileRows + r) * 32),
                         _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_nibbles));
    }
  }
}

inline void DecodeQ6_KRow(const uint8_t* row, int64_t n_super, int r, const IntPanel& panel) {
  const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
  const __m256i two_bits = _mm256_set1_epi8(0x30);
  for (int64_t sb = 0; sb < n_super; ++sb) {
    const uint8_t* block = row + sb * sizeof(BlockQ6_K);
    const float d = HalfToFloat(block + 208);
    const auto* sub_scales = reinterpret_cast<const int8_t*>(block + 192);
    for (int sub = 0; sub < 16; ++sub) {
      panel.scales[(sb * 16 + sub) * kTileRows + r] = d * static_cast<float>(sub_scales[sub]);
    }
    for (int half = 0; half < 2; ++half) {
      const __m256i ql_a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * half));
      const __m256i ql_b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * half + 32));
      const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + 32 * half));
      // Element offsets 0, 32, 64, 96 within this half: low/high nibbles of
      // ql_a/ql_b with qh bits 0-1, 2-3, 4-5, 6-7 as bits 4-5.
      const __m256i quarters[4] = {
          _mm256_or_si256(_mm256_and_si256(ql_a, low_nibbles), _mm256_and_si256(_mm256_slli_epi16(qh, 4), two_bits)),
          _mm256_or_si256(_mm256_and_si256(ql_b, low_nibbles), _mm256_and_si256(_mm256_slli_epi16(qh, 2), two_bits)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql_a, 4), low_nibbles), _mm256_and_si256(qh, two_bits)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql_b, 4), low_nibbles),
                          _mm256_and_si256(_mm256_srli_epi16(qh, 2), two_bits)),
      };
      for (int quarter = 0; quarter < 4; ++quarter) {
        const int64_t b = sb * 16 + half * 8 + quarter * 2;  // 16-element blocks
        _mm_store_si128(reinterpret_cast<__m128i*>(panel.codes + (b * kTileRows + r) * 16),
                        _mm256_castsi256_si128(quarters[quarter]));
        _mm_store_si128(reinterpret_cast<__m128i*>(panel.codes + ((b + 1) * kTileRows + r) * 16),
                        _mm256_extracti128_si256(quarters[quarter], 1));
      }
    }
  }
}

inline void DecodePanel(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t n_in,
                 const IntPanel& panel) {
  using RowDecoder = void (*)(const uint8_t*, int64_t, int, const IntPanel&);
  RowDecoder decoder = nullptr;
  int64_t n_units = 0;
  switch (dtype) {
    case DType::kQ4_0: decoder = DecodeQ4_0Row; n_units = n_in / 32; break;
    case DType::kQ8_0: decoder = DecodeQ8_0Row; n_units = n_in / 32; break;
    case DType::kQ4_K: decoder = DecodeQ4_KRow; n_units = n_in / 256; break;
    case DType::kQ6_K: decoder = DecodeQ6_KRow; n_units = n_in / 256; break;
    default: return DecodePanelScalar(dtype, rows, row_bytes, n_rows, n_in, panel);
  }
  IntBlockFormat format;
  LookupIntBlockFormat(dtype, &format);
  const int64_t n_blocks = n_in / format.block_len;
  for (int r = 0; r < n_rows; ++r) decoder(rows + r * row_bytes, n_units, r, panel);
  for (int r = n_rows; r < kTileRows; ++r) {
    for (int64_t b = 0; b < n_blocks; ++b) {
      std::memset(panel.codes + (b * kTileRows + r) * format.block_len, 0, format.block_len);
      panel.scales[b * kTileRows + r] = 0.0f;
      if (format.has_min) panel.mins[b * kTileRows + r] = 0.0f;
    }
  }
}

}  // namespace
}  // namespace fab::kernels
