// AVX-512 (F/BW/VL/DQ + VNNI) QuantOps. Integer dot products use vpdpbusd
// (unsigned weight codes x signed activations, 64 products per instruction):
//   GEMV (generation): q4_0, q8_0, q4_K and q6_K rows are streamed straight
//     from the weight bytes (nibbles unpacked in registers, block scales
//     gathered or permuted out of the row, software prefetch 4 KB ahead),
//     each row reduced into float lanes; other dtypes decode a panel first.
//   GEMM (prompts): lanes are the 16 tokens of a tile; each weight dword (4
//     codes) is broadcast and multiplied into the interleaved activation tile,
//     so a block of 16 rows x 16 tokens needs no horizontal reduction at all.
// Compiled with the AVX-512 flags; dispatch.cc uses it only on CPUs with VNNI.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "kernels/quant_decode_simd-inl.h"
#include "kernels/quant_ops.h"

namespace fab::kernels {
namespace {

// ---------------------------------------------------------------- activations

void QuantizeActivationRow(const IntBlockFormat& format, const float* x, int64_t n_in, const ActRow& out) {
  const __m512 abs_mask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
  for (int64_t group = 0; group < n_in / 32; ++group) {
    const __m512 lo = _mm512_loadu_ps(x + group * 32);
    const __m512 hi = _mm512_loadu_ps(x + group * 32 + 16);
    const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_and_ps(lo, abs_mask), _mm512_and_ps(hi, abs_mask)));
    const float scale = amax / 127.0f;
    const __m512 inv_scale = _mm512_set1_ps(scale != 0.0f ? 1.0f / scale : 0.0f);
    const __m512i q_lo = _mm512_cvtps_epi32(_mm512_mul_ps(lo, inv_scale));  // round to nearest even
    const __m512i q_hi = _mm512_cvtps_epi32(_mm512_mul_ps(hi, inv_scale));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out.q + group * 32), _mm512_cvtepi32_epi8(q_lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out.q + group * 32 + 16), _mm512_cvtepi32_epi8(q_hi));
    const int32_t sum_lo = _mm512_reduce_add_epi32(q_lo);
    const int32_t sum_hi = _mm512_reduce_add_epi32(q_hi);
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

// kRowsPerVec panel rows (one block each) per zmm: 2 for 32-blocks, 4 for 16.
template <int kBlockLen, bool kHasMin>
void IntGemvPanelT(const IntPanel& panel, const ActRow& x, int64_t n_blocks, float* out) {
  constexpr int kRowsPerVec = 64 / kBlockLen;
  constexpr int kVecs = kTileRows / kRowsPerVec;
  constexpr int kLanesPerRow = 16 / kRowsPerVec;
  constexpr __mmask16 kFirstLaneOfRow = kRowsPerVec == 2 ? 0x0101 : 0x1111;
  __m512i expand[kVecs];  // lane → which of the 16 rows' scales it needs
  for (int v = 0; v < kVecs; ++v) {
    alignas(64) int32_t idx[16];
    for (int lane = 0; lane < 16; ++lane) idx[lane] = v * kRowsPerVec + lane / kLanesPerRow;
    expand[v] = _mm512_load_si512(idx);
  }
  __m512 acc[kVecs];
  for (int v = 0; v < kVecs; ++v) acc[v] = _mm512_setzero_ps();
  __m512 min_acc = _mm512_setzero_ps();
  for (int64_t b = 0; b < n_blocks; ++b) {
    __m512i xb;
    if constexpr (kBlockLen == 32) {
      xb = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q + b * 32)));
    } else {
      xb = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x.q + b * 16)));
    }
    const __m512i init = _mm512_maskz_set1_epi32(kFirstLaneOfRow, x.bias[b]);
    const __m512 row_scales = _mm512_mul_ps(_mm512_load_ps(panel.scales + b * kTileRows), _mm512_set1_ps(x.scale[b]));
    if constexpr (kHasMin) {
      min_acc = _mm512_fmadd_ps(_mm512_load_ps(panel.mins + b * kTileRows), _mm512_set1_ps(x.scaled_sum[b]), min_acc);
    }
    const uint8_t* codes = panel.codes + b * kTileRows * kBlockLen;
    for (int v = 0; v < kVecs; ++v) {
      const __m512i w = _mm512_load_si512(codes + v * 64);
      const __m512 dot = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(init, w, xb));
      acc[v] = _mm512_fmadd_ps(dot, _mm512_permutexvar_ps(expand[v], row_scales), acc[v]);
    }
  }
  alignas(64) float mins[16];
  _mm512_store_ps(mins, min_acc);
  for (int v = 0; v < kVecs; ++v) {
    for (int j = 0; j < kRowsPerVec; ++j) {
      const __mmask16 lanes = static_cast<__mmask16>(((1u << kLanesPerRow) - 1) << (j * kLanesPerRow));
      const int r = v * kRowsPerVec + j;
      out[r] = _mm512_mask_reduce_add_ps(lanes, acc[v]) + (kHasMin ? mins[r] : 0.0f);
    }
  }
}

void IntGemvPanel(const IntBlockFormat& format, const IntPanel& panel, const ActRow& x, int64_t n_blocks,
                  float* out) {
  if (format.block_len == 16) return IntGemvPanelT<16, false>(panel, x, n_blocks, out);
  if (format.has_min) return IntGemvPanelT<32, true>(panel, x, n_blocks, out);
  IntGemvPanelT<32, false>(panel, x, n_blocks, out);
}

// Streaming GEMV over one raw q4_0 or q8_0 row: two blocks per zmm, the 16
// block scales of a group fetched with one gather, the code offset applied
// once per group through the activations' scaled sums.
//   q4_0 lanes: [b lo | b hi*16 | b+1 lo | b+1 hi*16] (high nibbles masked in
//   place, so their products are 16x too large: their scale is divided by 16)
//   q8_0 lanes: [b | b+1]
template <DType kDtype>
struct StreamRow {
  static constexpr bool kQ4 = kDtype == DType::kQ4_0;
  static constexpr int kBlockBytes = kQ4 ? sizeof(BlockQ4_0) : sizeof(BlockQ8_0);
  static constexpr float kCodeOffset = kQ4 ? 8.0f : 128.0f;
  // Software prefetch distance: the hardware prefetchers alone leave one
  // core latency-bound on short rows.
  static constexpr int kPrefetchBytes = 8192;

  // Codes of blocks `block` and (when `pair`) the next one, in lane order.
  static __m512i LoadCodes(const uint8_t* block, bool pair) {
    if constexpr (kQ4) {
      const __m512i nibble_mask = _mm512_broadcast_i64x4(
          _mm256_setr_epi64x(0x0F0F0F0F0F0F0F0FLL, 0x0F0F0F0F0F0F0F0FLL, static_cast<int64_t>(0xF0F0F0F0F0F0F0F0ULL),
                             static_cast<int64_t>(0xF0F0F0F0F0F0F0F0ULL)));
      const __m512i first = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 2)));
      const __m512i both =
          pair ? _mm512_mask_broadcast_i32x4(first, 0xFF00,
                                             _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + kBlockBytes + 2)))
               : _mm512_maskz_mov_epi64(0x0F, first);
      return _mm512_and_si512(both, nibble_mask);
    } else {
      const __m256i q0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
      const __m256i q1 =
          pair ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + kBlockBytes + 2)) : _mm256_setzero_si256();
      return _mm512_xor_si512(_mm512_inserti64x4(_mm512_castsi256_si512(q0), q1, 1),
                              _mm512_set1_epi8(static_cast<char>(0x80)));
    }
  }

  // Scale lane selector for blocks j, j+1 of a group: indices < 16 pick
  // `scale`, ≥ 16 pick `scale / 16` (q4_0 high nibbles).
  static __m512i ScaleIndex(int j) {
    if constexpr (kQ4) {
      return _mm512_setr_epi32(j, j, j, j, 16 + j, 16 + j, 16 + j, 16 + j, j + 1, j + 1, j + 1, j + 1, 17 + j, 17 + j,
                               17 + j, 17 + j);
    } else {
      return _mm512_setr_epi32(j, j, j, j, j, j, j, j, j + 1, j + 1, j + 1, j + 1, j + 1, j + 1, j + 1, j + 1);
    }
  }

  // The fp16 scales of 16 whole consecutive q4_0 blocks (the first two bytes
  // of each), picked out of the group's bytes with two word permutes: blocks
  // 0-7 lie in the group's first 128 bytes, blocks 8-15 in the 128 from block 8.
  static __m512 LoadGroupScales(const uint8_t* group) {
    constexpr int kWordsPerBlock = kBlockBytes / 2;
    alignas(64) static const int16_t kIndex[32] = {
        0 * kWordsPerBlock, 1 * kWordsPerBlock, 2 * kWordsPerBlock, 3 * kWordsPerBlock,
        4 * kWordsPerBlock, 5 * kWordsPerBlock, 6 * kWordsPerBlock, 7 * kWordsPerBlock,
        0 * kWordsPerBlock, 1 * kWordsPerBlock, 2 * kWordsPerBlock, 3 * kWordsPerBlock,
        4 * kWordsPerBlock, 5 * kWordsPerBlock, 6 * kWordsPerBlock, 7 * kWordsPerBlock};
    const __m512i index = _mm512_load_si512(kIndex);
    const uint8_t* second = group + 8 * kBlockBytes;
    const __m512i first_half = _mm512_permutex2var_epi16(_mm512_loadu_si512(group), index, _mm512_loadu_si512(group + 64));
    const __m512i second_half =
        _mm512_permutex2var_epi16(_mm512_loadu_si512(second), index, _mm512_loadu_si512(second + 64));
    const __m512i words = _mm512_mask_mov_epi16(first_half, 0xFF00, second_half);
    return _mm512_cvtph_ps(_mm512_castsi512_si256(words));
  }

  // Lanes summing to row · x (the caller reduces 16 rows at once).
  static __m512 Dot(const uint8_t* row, const ActRow& x, int64_t n_blocks) {
    const __m512i gather_offsets = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(kBlockBytes));
    __m512 acc[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
    __m512 offset_acc = _mm512_setzero_ps();
    for (int64_t g = 0; g < n_blocks; g += 16) {
      const int n = static_cast<int>(n_blocks - g < 16 ? n_blocks - g : 16);
      const __mmask16 valid = static_cast<__mmask16>(n == 16 ? 0xFFFF : (1u << n) - 1);
      const uint8_t* group = row + g * kBlockBytes;
      const __m512 w_scale = kQ4 && n == 16 ? LoadGroupScales(group)
                                     : _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_mask_i32gather_epi32(
                                           _mm512_setzero_si512(), valid, gather_offsets, group, 1)));
      const __m512 scale = _mm512_mul_ps(w_scale, _mm512_maskz_loadu_ps(valid, x.scale + g));
      offset_acc = _mm512_fmadd_ps(w_scale, _mm512_maskz_loadu_ps(valid, x.scaled_sum + g), offset_acc);
      const __m512 scale_sixteenth = _mm512_mul_ps(scale, _mm512_set1_ps(1.0f / 16.0f));
      const int8_t* xq = x.q + g * 32;
      if (n == 16) {
#pragma GCC unroll 8
        for (int j = 0; j < 16; j += 2) {
          _mm_prefetch(reinterpret_cast<const char*>(group + j * kBlockBytes + kPrefetchBytes), _MM_HINT_T0);
          const __m512i xv = _mm512_loadu_si512(xq + j * 32);
          const __m512 dot =
              _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), LoadCodes(group + j * kBlockBytes, true), xv));
          acc[(j / 2) & 1] =
              _mm512_fmadd_ps(dot, _mm512_permutex2var_ps(scale, ScaleIndex(j), scale_sixteenth), acc[(j / 2) & 1]);
        }
        continue;
      }
      for (int j = 0; j < n; j += 2) {
        const bool pair = j + 1 < n;
        const __m512i xv = _mm512_maskz_loadu_epi8(pair ? ~0ULL : 0xFFFFFFFFULL, xq + j * 32);
        const __m512 dot =
            _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), LoadCodes(group + j * kBlockBytes, pair), xv));
        acc[0] = _mm512_fmadd_ps(dot, _mm512_permutex2var_ps(scale, ScaleIndex(j), scale_sixteenth), acc[0]);
      }
    }
    return _mm512_fnmadd_ps(offset_acc, _mm512_set1_ps(kCodeOffset), _mm512_add_ps(acc[0], acc[1]));
  }
};

// Streaming GEMV over one raw q4_K row, one 256-element super-block per step:
// each 32-byte chunk of codes holds sub-blocks 2c (low nibbles) and 2c+1
// (high nibbles, masked in place: scale / 16), matching 64 contiguous x bytes.
// The 6-bit scales and mins are unpacked with 32-bit integer masks.
__m512 StreamQ4_KRow(const uint8_t* row, const ActRow& x, int64_t n_super) {
  const __m512i nibble_mask = _mm512_inserti64x4(_mm512_set1_epi8(0x0F), _mm256_set1_epi8(static_cast<char>(0xF0)), 1);
  const __m512i expand_d = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  __m512i scale_idx[4];
  for (int c = 0; c < 4; ++c) {
    scale_idx[c] = _mm512_inserti64x4(_mm512_set1_epi32(2 * c), _mm256_set1_epi32(16 + 2 * c + 1), 1);
  }
  __m512 acc = _mm512_setzero_ps();
  __m512 min_acc = _mm512_setzero_ps();
  for (int64_t sb = 0; sb < n_super; ++sb) {
    const uint8_t* block = row + sb * sizeof(BlockQ4_K);
    _mm_prefetch(reinterpret_cast<const char*>(block + 4096), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(block + 4096 + 64), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(block + 4096 + 128), _MM_HINT_T0);
    uint32_t packed[3];
    std::memcpy(packed, block + 4, sizeof(packed));
    const uint32_t scales_lo = packed[0] & 0x3F3F3F3F;
    const uint32_t mins_lo = packed[1] & 0x3F3F3F3F;
    const uint32_t scales_hi = (packed[2] & 0x0F0F0F0F) | ((packed[0] >> 2) & 0x30303030);
    const uint32_t mins_hi = ((packed[2] >> 4) & 0x0F0F0F0F) | ((packed[1] >> 2) & 0x30303030);
    const __m128i six_bit = _mm_setr_epi32(static_cast<int>(scales_lo), static_cast<int>(scales_hi),
                                           static_cast<int>(mins_lo), static_cast<int>(mins_hi));
    const __m512 d_dmin = _mm512_permutexvar_ps(
        expand_d, _mm512_castps128_ps512(_mm_cvtph_ps(_mm_cvtsi32_si128(LoadDword(block)))));
    const __m512 x_terms = _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps(x.scale + sb * 8)),
                                              _mm256_loadu_ps(x.scaled_sum + sb * 8), 1);
    // Lanes 0-7: d * scale_s * x_scale_s; lanes 8-15: dmin * min_s * x_scaled_sum_s.
    const __m512 terms =
        _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(six_bit)), d_dmin), x_terms);
    min_acc = _mm512_mask_add_ps(min_acc, 0xFF00, min_acc, terms);
    const __m512 terms_sixteenth = _mm512_mul_ps(terms, _mm512_set1_ps(1.0f / 16.0f));
    const int8_t* xq = x.q + sb * 256;
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
      const __m512i codes = _mm512_and_si512(
          _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16 + 32 * c))),
          nibble_mask);
      const __m512 dot = _mm512_cvtepi32_ps(
          _mm512_dpbusd_epi32(_mm512_setzero_si512(), codes, _mm512_loadu_si512(xq + 64 * c)));
      acc = _mm512_fmadd_ps(dot, _mm512_permutex2var_ps(terms, scale_idx[c], terms_sixteenth), acc);
    }
  }
  return _mm512_sub_ps(acc, min_acc);
}

// Streaming GEMV over one raw q6_K row: per 128-element half, the 64 low-bit
// bytes and the 32 high-bit bytes give two zmm of 6-bit codes (elements
// 0-63 and 64-127 of the half), four 16-element sub-blocks each.
__m512 StreamQ6_KRow(const uint8_t* row, const ActRow& x, int64_t n_super) {
  const __m512i low_nibbles = _mm512_set1_epi8(0x0F);
  const __m512i two_bits = _mm512_set1_epi8(0x30);
  const __m512i shift_first = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
  const __m512i shift_second = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
  __m512i scale_idx[4];
  for (int quarter = 0; quarter < 4; ++quarter) {
    alignas(64) int32_t idx[16];
    for (int lane = 0; lane < 16; ++lane) idx[lane] = 4 * quarter + lane / 4;
    scale_idx[quarter] = _mm512_load_si512(idx);
  }
  __m512 acc = _mm512_setzero_ps();
  __m512 offset_acc = _mm512_setzero_ps();
  for (int64_t sb = 0; sb < n_super; ++sb) {
    const uint8_t* block = row + sb * sizeof(BlockQ6_K);
    _mm_prefetch(reinterpret_cast<const char*>(block + 4096), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(block + 4096 + 64), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(block + 4096 + 128), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(block + 4096 + 192), _MM_HINT_T0);
    const __m512 w_scales = _mm512_mul_ps(
        _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 192)))),
        _mm512_set1_ps(HalfToFloat(block + 208)));
    const __m512 scales = _mm512_mul_ps(w_scales, _mm512_loadu_ps(x.scale + sb * 16));
    offset_acc = _mm512_fmadd_ps(w_scales, _mm512_loadu_ps(x.scaled_sum + sb * 16), offset_acc);
    const int8_t* xq = x.q + sb * 256;
#pragma GCC unroll 2
    for (int half = 0; half < 2; ++half) {
      const __m512i low = _mm512_loadu_si512(block + 64 * half);
      const __m512i high = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + 32 * half)));
      const __m512i first = _mm512_or_si512(_mm512_and_si512(low, low_nibbles),
                                            _mm512_and_si512(_mm512_sllv_epi16(high, shift_first), two_bits));
      const __m512i second = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(low, 4), low_nibbles),
                                             _mm512_and_si512(_mm512_srlv_epi16(high, shift_second), two_bits));
      const __m512 dot_first = _mm512_cvtepi32_ps(
          _mm512_dpbusd_epi32(_mm512_setzero_si512(), first, _mm512_loadu_si512(xq + 128 * half)));
      const __m512 dot_second = _mm512_cvtepi32_ps(
          _mm512_dpbusd_epi32(_mm512_setzero_si512(), second, _mm512_loadu_si512(xq + 128 * half + 64)));
      acc = _mm512_fmadd_ps(dot_first, _mm512_permutexvar_ps(scale_idx[2 * half], scales), acc);
      acc = _mm512_fmadd_ps(dot_second, _mm512_permutexvar_ps(scale_idx[2 * half + 1], scales), acc);
    }
  }
  return _mm512_fnmadd_ps(offset_acc, _mm512_set1_ps(32.0f), acc);
}

// Sums of each of 16 vectors, in one vector, without lane order: ~45 ops
// instead of 16 full reductions.
__m512 SumEachUnordered(__m512 v[16]) {
  for (int i = 0; i < 8; ++i) {  // 256-bit halves: row i | row i + 8
    v[i] = _mm512_add_ps(_mm512_shuffle_f32x4(v[i], v[i + 8], 0x44), _mm512_shuffle_f32x4(v[i], v[i + 8], 0xEE));
  }
  for (int i = 0; i < 4; ++i) {  // 128-bit lanes
    v[i] = _mm512_add_ps(_mm512_shuffle_f32x4(v[i], v[i + 4], 0x88), _mm512_shuffle_f32x4(v[i], v[i + 4], 0xDD));
  }
  for (int i = 0; i < 2; ++i) {  // 64-bit pairs
    const __m512d a = _mm512_castps_pd(v[i]);
    const __m512d b = _mm512_castps_pd(v[i + 2]);
    v[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)), _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
  }
  return _mm512_add_ps(_mm512_shuffle_ps(v[0], v[1], 0x88), _mm512_shuffle_ps(v[0], v[1], 0xDD));
}

// out[r] = Σ lanes of v[r] for 16 vectors.
void SumEach(__m512 v[16], float* out) {
  // Which input vector each output lane of SumEachUnordered holds, found once
  // by running it on vectors whose sums are their own indices.
  static const __m512i kLaneOfRow = [] {
    __m512 probe[16];
    for (int r = 0; r < 16; ++r) probe[r] = _mm512_set1_ps(static_cast<float>(r) / 16.0f);
    alignas(64) float row_of_lane[16];
    _mm512_store_ps(row_of_lane, SumEachUnordered(probe));
    alignas(64) int32_t lane_of_row[16];
    for (int lane = 0; lane < 16; ++lane) lane_of_row[static_cast<int>(row_of_lane[lane])] = lane;
    return _mm512_load_si512(lane_of_row);
  }();
  _mm512_storeu_ps(out, _mm512_permutexvar_ps(kLaneOfRow, SumEachUnordered(v)));
}

void IntGemvRows(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t n_in, const ActRow& x,
                 const IntPanel& scratch, float* out) {
  using RowDot = __m512 (*)(const uint8_t*, const ActRow&, int64_t);
  RowDot row_dot = nullptr;
  int64_t n_units = n_in / 32;
  switch (dtype) {
    case DType::kQ4_0: row_dot = StreamRow<DType::kQ4_0>::Dot; break;
    case DType::kQ8_0: row_dot = StreamRow<DType::kQ8_0>::Dot; break;
    case DType::kQ4_K: row_dot = StreamQ4_KRow; n_units = n_in / 256; break;
    case DType::kQ6_K: row_dot = StreamQ6_KRow; n_units = n_in / 256; break;
    default: break;
  }
  if (row_dot != nullptr) {
    __m512 partial[kTileRows];
    for (int r = 0; r < kTileRows; ++r) {
      partial[r] = r < n_rows ? row_dot(rows + r * row_bytes, x, n_units) : _mm512_setzero_ps();
    }
    float all_rows[kTileRows];
    SumEach(partial, all_rows);
    std::memcpy(out, all_rows, n_rows * sizeof(float));
    return;
  }
  IntBlockFormat format;
  LookupIntBlockFormat(dtype, &format);
  DecodePanel(dtype, rows, row_bytes, n_rows, n_in, scratch);
  float all_rows[kTileRows];
  IntGemvPanel(format, scratch, x, n_in / format.block_len, all_rows);
  std::memcpy(out, all_rows, n_rows * sizeof(float));
}

// ---------------------------------------------------------------- GEMM

template <int kBlockLen, bool kHasMin>
void IntGemmTileT(const IntPanel& panel, const ActTile& x, int64_t n_blocks, float* acc_out) {
  constexpr int kGroups = kBlockLen / 4;
  __m512 acc[kTileRows];
  for (int r = 0; r < kTileRows; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t b = 0; b < n_blocks; ++b) {
    __m512i act[kGroups];
    for (int g = 0; g < kGroups; ++g) act[g] = _mm512_load_si512(x.q + (b * kGroups + g) * 64);
    const __m512i bias = _mm512_load_si512(x.bias + b * kTileTokens);
    const __m512 x_scale = _mm512_load_ps(x.scale + b * kTileTokens);
    const uint8_t* codes = panel.codes + b * kTileRows * kBlockLen;
    const float* w_scales = panel.scales + b * kTileRows;
#pragma GCC unroll 16
    for (int r = 0; r < kTileRows; ++r) {
      __m512i isum = bias;
#pragma GCC unroll 8
      for (int g = 0; g < kGroups; ++g) {
        isum = _mm512_dpbusd_epi32(isum, _mm512_set1_epi32(LoadDword(codes + r * kBlockLen + g * 4)), act[g]);
      }
      const __m512 scale = _mm512_mul_ps(x_scale, _mm512_set1_ps(w_scales[r]));
      acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc[r]);
      if constexpr (kHasMin) {
        acc[r] = _mm512_fmadd_ps(_mm512_load_ps(x.scaled_sum + b * kTileTokens),
                                 _mm512_set1_ps(panel.mins[b * kTileRows + r]), acc[r]);
      }
    }
  }
  for (int r = 0; r < kTileRows; ++r) _mm512_store_ps(acc_out + r * kTileTokens, acc[r]);
}

void IntGemmTile(const IntBlockFormat& format, const IntPanel& panel, const ActTile& x, int64_t n_blocks,
                 float* acc) {
  if (format.block_len == 16) return IntGemmTileT<16, false>(panel, x, n_blocks, acc);
  if (format.has_min) return IntGemmTileT<32, true>(panel, x, n_blocks, acc);
  IntGemmTileT<32, false>(panel, x, n_blocks, acc);
}

// ---------------------------------------------------------------- float weights

// Loads up to 16 elements k..k+n of a row as floats (zeros past n).
inline __m512 LoadFloats(DType dtype, const uint8_t* row, int64_t k, int n) {
  const __mmask16 mask = static_cast<__mmask16>(n >= 16 ? 0xFFFF : (1u << n) - 1);
  if (dtype == DType::kF32) return _mm512_maskz_loadu_ps(mask, row + 4 * k);
  const __m256i halves = _mm256_maskz_loadu_epi16(mask, row + 2 * k);
  if (dtype == DType::kF16) return _mm512_cvtph_ps(halves);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(halves), 16));
}

// One row at a time (one sequential stream), two accumulators, masked tail.
void FloatDotRows(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, const float* x, int64_t n_in,
                  float* out) {
  constexpr int kPrefetchBytes = 4096;
  for (int r = 0; r < n_rows; ++r) {
    const uint8_t* row = rows + r * row_bytes;
    __m512 acc0 = _mm512_setzero_ps();
    __m512 acc1 = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 32 <= n_in; k += 32) {
      _mm_prefetch(reinterpret_cast<const char*>(row) + (k * row_bytes / n_in) + kPrefetchBytes, _MM_HINT_T0);
      acc0 = _mm512_fmadd_ps(LoadFloats(dtype, row, k, 16), _mm512_loadu_ps(x + k), acc0);
      acc1 = _mm512_fmadd_ps(LoadFloats(dtype, row, k + 16, 16), _mm512_loadu_ps(x + k + 16), acc1);
    }
    for (; k < n_in; k += 16) {
      const int n = static_cast<int>(n_in - k < 16 ? n_in - k : 16);
      const __m512 xv = _mm512_maskz_loadu_ps(static_cast<__mmask16>(n >= 16 ? 0xFFFF : (1u << n) - 1), x + k);
      acc0 = _mm512_fmadd_ps(LoadFloats(dtype, row, k, n), xv, acc0);
    }
    out[r] = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
  }
}

void DecodeFloatPanel(DType dtype, const uint8_t* rows, int64_t row_bytes, int n_rows, int64_t k_begin,
                      int64_t k_len, float* panel) {
  for (int64_t k = 0; k < k_len; k += 16) {
    const int n = static_cast<int>(k_len - k < 16 ? k_len - k : 16);
    alignas(64) float block[16][16];
    for (int r = 0; r < kTileRows; ++r) {
      const __m512 v = r < n_rows ? LoadFloats(dtype, rows + r * row_bytes, k_begin + k, n) : _mm512_setzero_ps();
      _mm512_store_ps(block[r], v);
    }
    for (int kk = 0; kk < n; ++kk) {
      for (int r = 0; r < kTileRows; ++r) panel[(k + kk) * kTileRows + r] = block[r][kk];
    }
  }
}

void FloatGemmTile(const float* panel, const float* x, int64_t k_len, float* acc_io) {
  __m512 acc[kTileRows];
  for (int r = 0; r < kTileRows; ++r) acc[r] = _mm512_load_ps(acc_io + r * kTileTokens);
  for (int64_t k = 0; k < k_len; ++k) {
    const __m512 xv = _mm512_load_ps(x + k * kTileTokens);
#pragma GCC unroll 16
    for (int r = 0; r < kTileRows; ++r) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(panel[k * kTileRows + r]), xv, acc[r]);
  }
  for (int r = 0; r < kTileRows; ++r) _mm512_store_ps(acc_io + r * kTileTokens, acc[r]);
}

}  // namespace

QuantOps MakeQuantOpsAvx512() {
  QuantOps ops;
  ops.quantize_activation_row = QuantizeActivationRow;
  ops.quantize_activation_row_k = QuantizeActivationRowKAvx512;
  ops.decode_panel = DecodePanel;
  ops.int_gemv_rows = IntGemvRows;
  ops.int_gemm_tile = IntGemmTile;
  ops.float_dot_rows = FloatDotRows;
  ops.decode_float_panel = DecodeFloatPanel;
  ops.float_gemm_tile = FloatGemmTile;
  ops.packed_gemm_panel = PackedGemmPanelAvx512;
  ops.prefers_packed_weights = true;
  return ops;
}

}  // namespace fab::kernels
