// AVX2 + FMA + F16C QuantOps, for CPUs without AVX-512 VNNI. Integer dot
// products use vpmaddubsw (unsigned codes x signed activations → int16 pairs)
// then vpmaddwd with ones (→ int32). Codes up to 63 cannot saturate the int16
// pairs; q8_0 codes (up to 255) could, so q8_0 uses the sign trick on the
// signed weights instead (|w| x sign(x, w)) and skips the code-offset bias.
// Same algorithm and layouts as the scalar twin (quant_ops.h).
#include <immintrin.h>

#include <cstring>

#include "kernels/quant_decode_simd-inl.h"
#include "kernels/quant_ops.h"

namespace fab::kernels {
namespace {

inline float HorizontalSum(__m256 v) {
  __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
  sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
  return _mm_cvtss_f32(sum);
}

inline int32_t HorizontalSum(__m256i v) {
  __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4E));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xB1));
  return _mm_cvtsi128_si32(sum);
}

// Σ over each group of 4 of codes[i] * q[i] (int32 lanes). With kSigned the
// "codes" are q8_0 codes: the signed weight is code ^ 0x80.
template <bool kSigned>
inline __m256i DotGroups(__m256i codes, __m256i q) {
  const __m256i ones = _mm256_set1_epi16(1);
  if constexpr (kSigned) {
    const __m256i w = _mm256_xor_si256(codes, _mm256_set1_epi8(static_cast<char>(0x80)));
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(q, w)), ones);
  } else {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(codes, q), ones);
  }
}

// ---------------------------------------------------------------- activations

void QuantizeActivationRow(const IntBlockFormat& format, const float* x, int64_t n_in, const ActRow& out) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  for (int64_t group = 0; group < n_in / 32; ++group) {
    __m256 v[4];
    __m256 amax8 = _mm256_setzero_ps();
    for (int i = 0; i < 4; ++i) {
      v[i] = _mm256_loadu_ps(x + group * 32 + 8 * i);
      amax8 = _mm256_max_ps(amax8, _mm256_and_ps(v[i], abs_mask));
    }
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax8), _mm256_extractf128_ps(amax8, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    const float scale = _mm_cvtss_f32(m) / 127.0f;
    const __m256 inv_scale = _mm256_set1_ps(scale != 0.0f ? 1.0f / scale : 0.0f);
    __m256i q[4];
    for (int i = 0; i < 4; ++i) q[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], inv_scale));  // nearest even
    // Pack 32 int32 → 32 int8 in order (packs interleave 128-bit lanes; fix with a permute).
    const __m256i words_01 = _mm256_packs_epi32(q[0], q[1]);
    const __m256i words_23 = _mm256_packs_epi32(q[2], q[3]);
    const __m256i bytes = _mm256_packs_epi16(words_01, words_23);
    const __m256i ordered = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.q + group * 32), ordered);
    const int32_t sum_lo = HorizontalSum(_mm256_add_epi32(q[0], q[1]));
    const int32_t sum_hi = HorizontalSum(_mm256_add_epi32(q[2], q[3]));
    if (format.block_len == 32) {
      out.scale[group] = scale;
      out.bias[group] = -format.code_offset * (sum_lo + sum_hi);
      out.scaled_sum[group] = scale * static_cast<float>(sum_lo + sum_hi);
    } else {
      const int32_t sums[2] = {sum_lo, sum_hi};
      for (int s = 0; s < 2; ++s) {
        out.scale[2 * group + s] = scale;
        out.bias[2 * group + s] = -format.code_offset * sums[s];
        out.scaled_sum[2 * group + s] = scale * static_cast<float>(sums[s]);
      }
    }
  }
}

// ---------------------------------------------------------------- GEMV

// Rows of a decoded panel against one activation row, 8 rows at a time (one
// ymm accumulator per row); bias and min terms go through 8-row vectors.
template <int kBlockLen, bool kHasMin, bool kSigned>
void IntGemvPanelT(const IntPanel& panel, const ActRow& x, int64_t n_blocks, float* out) {
  for (int r0 = 0; r0 < kTileRows; r0 += 8) {
    __m256 acc[8];
    for (int j = 0; j < 8; ++j) acc[j] = _mm256_setzero_ps();
    __m256 extra = _mm256_setzero_ps();  // bias and min terms, lanes = rows
    for (int64_t b = 0; b < n_blocks; ++b) {
      __m256i xv;
      if constexpr (kBlockLen == 32) {
        xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q + b * 32));
      } else {
        xv = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x.q + b * 16)));
      }
      const __m256 w_scales = _mm256_load_ps(panel.scales + b * kTileRows + r0);
      const __m256 x_scale = _mm256_set1_ps(x.scale[b]);
      if constexpr (!kSigned) {
        extra = _mm256_fmadd_ps(_mm256_mul_ps(w_scales, x_scale), _mm256_set1_ps(static_cast<float>(x.bias[b])), extra);
      }
      if constexpr (kHasMin) {
        extra = _mm256_fmadd_ps(_mm256_load_ps(panel.mins + b * kTileRows + r0), _mm256_set1_ps(x.scaled_sum[b]), extra);
      }
      const uint8_t* codes = panel.codes + (b * kTileRows + r0) * kBlockLen;
      alignas(32) float row_scales[8];
      _mm256_store_ps(row_scales, _mm256_mul_ps(w_scales, x_scale));
      if constexpr (kBlockLen == 32) {
        for (int j = 0; j < 8; ++j) {
          const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(codes + j * 32));
          acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(DotGroups<kSigned>(w, xv)), _mm256_set1_ps(row_scales[j]), acc[j]);
        }
      } else {
        // Two 16-code rows per ymm: lanes 0-3 row j, 4-7 row j+1.
        for (int j = 0; j < 8; j += 2) {
          const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(codes + j * 16));
          const __m256 s = _mm256_setr_m128(_mm_set1_ps(row_scales[j]), _mm_set1_ps(row_scales[j + 1]));
          acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(DotGroups<kSigned>(w, xv)), s, acc[j]);
        }
      }
    }
    alignas(32) float extras[8];
    _mm256_store_ps(extras, extra);
    for (int j = 0; j < 8; ++j) {
      if constexpr (kBlockLen == 32) {
        out[r0 + j] = HorizontalSum(acc[j]) + extras[j];
      } else {
        const __m256 v = acc[j & ~1];
        const __m128 half = (j & 1) ? _mm256_extractf128_ps(v, 1) : _mm256_castps256_ps128(v);
        __m128 sum = _mm_add_ps(half, _mm_movehl_ps(half, half));
        sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
        out[r0 + j] = _mm_cvtss_f32(sum) + extras[j];
      }
    }
  }
}

void IntGemvRows(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t n_in, const ActRow& x,
                 const IntPanel& scratch, float* out) {
  IntBlockFormat format;
  LookupIntBlockFormat(dtype, &format);
  DecodePanel(dtype, rows, row_bytes, n_rows, n_in, scratch);
  const int64_t n_blocks = n_in / format.block_len;
  float all_rows[kTileRows];
  if (format.block_len == 16) {
    IntGemvPanelT<16, false, false>(scratch, x, n_blocks, all_rows);
  } else if (format.has_min) {
    IntGemvPanelT<32, true, false>(scratch, x, n_blocks, all_rows);
  } else if (format.code_offset == 128) {
    IntGemvPanelT<32, false, true>(scratch, x, n_blocks, all_rows);
  } else {
    IntGemvPanelT<32, false, false>(scratch, x, n_blocks, all_rows);
  }
  std::memcpy(out, all_rows, n_rows * sizeof(float));
}

// ---------------------------------------------------------------- GEMM

// Two panel rows x 8 tokens per register tile; the activation tile's two
// 8-token halves are separate passes.
template <int kBlockLen, bool kHasMin, bool kSigned>
void IntGemmTileT(const IntPanel& panel, const ActTile& x, int64_t n_blocks, float* acc_out) {
  constexpr int kGroups = kBlockLen / 4;
  for (int half = 0; half < 2; ++half) {
    const int t0 = half * 8;
    for (int r = 0; r < kTileRows; r += 2) {
      __m256 acc0 = _mm256_setzero_ps();
      __m256 acc1 = _mm256_setzero_ps();
      for (int64_t b = 0; b < n_blocks; ++b) {
        const int8_t* act = x.q + b * kGroups * kTileTokens * 4 + t0 * 4;
        const uint8_t* codes0 = panel.codes + (b * kTileRows + r) * kBlockLen;
        const uint8_t* codes1 = codes0 + kBlockLen;
        __m256i isum0, isum1;
        if constexpr (kSigned) {
          isum0 = isum1 = _mm256_setzero_si256();
        } else {
          isum0 = isum1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(x.bias + b * kTileTokens + t0));
        }
        for (int g = 0; g < kGroups; ++g) {
          const __m256i a = _mm256_load_si256(reinterpret_cast<const __m256i*>(act + g * kTileTokens * 4));
          isum0 = _mm256_add_epi32(isum0, DotGroups<kSigned>(_mm256_set1_epi32(LoadDword(codes0 + 4 * g)), a));
          isum1 = _mm256_add_epi32(isum1, DotGroups<kSigned>(_mm256_set1_epi32(LoadDword(codes1 + 4 * g)), a));
        }
        const __m256 x_scale = _mm256_load_ps(x.scale + b * kTileTokens + t0);
        const float* w_scales = panel.scales + b * kTileRows + r;
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum0), _mm256_mul_ps(x_scale, _mm256_set1_ps(w_scales[0])), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum1), _mm256_mul_ps(x_scale, _mm256_set1_ps(w_scales[1])), acc1);
        if constexpr (kHasMin) {
          const __m256 scaled_sum = _mm256_load_ps(x.scaled_sum + b * kTileTokens + t0);
          const float* mins = panel.mins + b * kTileRows + r;
          acc0 = _mm256_fmadd_ps(scaled_sum, _mm256_set1_ps(mins[0]), acc0);
          acc1 = _mm256_fmadd_ps(scaled_sum, _mm256_set1_ps(mins[1]), acc1);
        }
      }
      _mm256_store_ps(acc_out + r * kTileTokens + t0, acc0);
      _mm256_store_ps(acc_out + (r + 1) * kTileTokens + t0, acc1);
    }
  }
}

void IntGemmTile(const IntBlockFormat& format, const IntPanel& panel, const ActTile& x, int64_t n_blocks,
                 float* acc) {
  if (format.block_len == 16) return IntGemmTileT<16, false, false>(panel, x, n_blocks, acc);
  if (format.has_min) return IntGemmTileT<32, true, false>(panel, x, n_blocks, acc);
  if (format.code_offset == 128) return IntGemmTileT<32, false, true>(panel, x, n_blocks, acc);
  IntGemmTileT<32, false, false>(panel, x, n_blocks, acc);
}

// ---------------------------------------------------------------- float weights

// 8 elements k..k+8 of a row as floats (the caller handles tails).
inline __m256 LoadFloats8(DType dtype, const uint8_t* row, int64_t k) {
  if (dtype == DType::kF32) return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + k);
  const __m128i halves = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * k));
  if (dtype == DType::kF16) return _mm256_cvtph_ps(halves);
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(halves), 16));
}

inline float LoadFloat1(DType dtype, const uint8_t* row, int64_t k) {
  if (dtype == DType::kF32) {
    float value;
    std::memcpy(&value, row + 4 * k, sizeof(value));
    return value;
  }
  uint16_t h;
  std::memcpy(&h, row + 2 * k, sizeof(h));
  if (dtype == DType::kF16) return _cvtsh_ss(h);
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

void FloatDotRows(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, const float* x, int64_t n_in,
                  float* out) {
  const int64_t n_main = n_in / 8 * 8;
  for (int r = 0; r < n_rows; ++r) {
    const uint8_t* row = rows + r * row_bytes;
    __m256 acc0 = _mm256_setzero_ps();
    __m256 acc1 = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= n_main; k += 16) {
      acc0 = _mm256_fmadd_ps(LoadFloats8(dtype, row, k), _mm256_loadu_ps(x + k), acc0);
      acc1 = _mm256_fmadd_ps(LoadFloats8(dtype, row, k + 8), _mm256_loadu_ps(x + k + 8), acc1);
    }
    for (; k < n_main; k += 8) acc0 = _mm256_fmadd_ps(LoadFloats8(dtype, row, k), _mm256_loadu_ps(x + k), acc0);
    float sum = HorizontalSum(_mm256_add_ps(acc0, acc1));
    for (; k < n_in; ++k) sum += LoadFloat1(dtype, row, k) * x[k];
    out[r] = sum;
  }
}

void DecodeFloatPanel(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t k_begin,
                      int64_t k_len, float* panel) {
  for (int64_t k = 0; k < k_len; ++k) {
    for (int r = 0; r < kTileRows; ++r) {
      panel[k * kTileRows + r] = r < n_rows ? LoadFloat1(dtype, rows + r * row_bytes, k_begin + k) : 0.0f;
    }
  }
}

// Four rows x 16 tokens (8 ymm accumulators) per pass over k.
void FloatGemmTile(const float* panel, const float* x, int64_t k_len, float* acc_io) {
  for (int r0 = 0; r0 < kTileRows; r0 += 4) {
    __m256 acc[4][2];
    for (int j = 0; j < 4; ++j) {
      acc[j][0] = _mm256_load_ps(acc_io + (r0 + j) * kTileTokens);
      acc[j][1] = _mm256_load_ps(acc_io + (r0 + j) * kTileTokens + 8);
    }
    for (int64_t k = 0; k < k_len; ++k) {
      const __m256 x0 = _mm256_load_ps(x + k * kTileTokens);
      const __m256 x1 = _mm256_load_ps(x + k * kTileTokens + 8);
      for (int j = 0; j < 4; ++j) {
        const __m256 w = _mm256_broadcast_ss(panel + k * kTileRows + r0 + j);
        acc[j][0] = _mm256_fmadd_ps(w, x0, acc[j][0]);
        acc[j][1] = _mm256_fmadd_ps(w, x1, acc[j][1]);
      }
    }
    for (int j = 0; j < 4; ++j) {
      _mm256_store_ps(acc_io + (r0 + j) * kTileTokens, acc[j][0]);
      _mm256_store_ps(acc_io + (r0 + j) * kTileTokens + 8, acc[j][1]);
    }
  }
}

}  // namespace

QuantOps MakeQuantOpsAvx2() {
  QuantOps ops;
  ops.quantize_activation_row = QuantizeActivationRow;
  ops.quantize_activation_row_k = QuantizeActivationRowKAvx2;
  ops.decode_panel = DecodePanel;
  ops.int_gemv_rows = IntGemvRows;
  ops.int_gemm_tile = IntGemmTile;
  ops.float_dot_rows = FloatDotRows;
  ops.decode_float_panel = DecodeFloatPanel;
  ops.float_gemm_tile = FloatGemmTile;
  ops.packed_gemm_panel = PackedGemmPanelAvx2;
  ops.prefers_packed_weights = true;
  return ops;
}

}  // namespace fab::kernels
