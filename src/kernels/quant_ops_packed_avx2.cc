// AVX2 kernel over packed q4_0x16 / q8_0x16 panels (packed_weights.h), for
// CPUs without AVX-512 VNNI. A ymm holds 4 codes of each of 8 rows, so a
// panel is two halves (rows 0-7, 8-15: the first and second 32 bytes of each
// 64-byte code chunk), done one after the other within each block so both
// halves of a cache line are used while it is in L1. Per token and half:
// vpmaddubsw of the codes (unsigned) with the token's 4 activations
// broadcast (signed) gives int16 pairs, then vpmaddwd with ones gives int32.
//   q4_0: codes ≤ 15, so a pair is at most 2·15·127 = 3810 and the 8 groups of
//     a block sum in int16 (≤ 30480) before one vpmaddwd; the integer sum
//     starts at the activation bias (-8·Σq).
//   q8_0: codes up to 255 would saturate the pairs, so the signed weights
//     (code ^ 0x80) go through the sign trick, |w| · sign(q, w) ≤ 2·128·127,
//     one vpmaddwd per group, and no bias.
// Then one fma(cvt(sum), w_scales · x_scale, acc) per token. One kernel,
// instantiated per token count 1..16, serves generation and batches.
// Compiled with the AVX2 flags; dispatch.cc uses it on CPUs with AVX2.
#include <immintrin.h>

#include <array>
#include <cstring>
#include <utility>

#include "kernels/packed_weights.h"
#include "kernels/quant_blocks.h"
#include "kernels/quant_ops.h"

namespace fab::kernels {
namespace {

constexpr int kGroups = 8;  // groups of 4 codes per 32-element block
// Software prefetch into L2, this far ahead along the panel (half the
// AVX-512 kernel's distance; not tuned on AVX2).
constexpr int kPrefetchBytes = 8192;

inline __m256i Broadcast4(const int8_t* p) {
  int32_t value;
  std::memcpy(&value, p, sizeof(value));
  return _mm256_set1_epi32(value);
}

// The 8 code groups of one half (rows 8h..8h+7) of a block record: w[g]
// lanes r = codes 4g..4g+3 of row 8h + r. q4_0: unsigned nibbles; q8_0: the
// signed weights (code ^ 0x80).
template <bool kQ4>
inline void LoadHalf(const uint8_t* record, int half, __m256i w[kGroups]) {
  const uint8_t* codes = record + 2 * kPanelRows + 32 * half;
  if constexpr (kQ4) {
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    for (int i = 0; i < 4; ++i) {
      const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + 64 * i));
      w[i] = _mm256_and_si256(bytes, low_nibbles);
      w[4 + i] = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low_nibbles);
    }
  } else {
    const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
    for (int g = 0; g < kGroups; ++g) {
      w[g] = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + 64 * g)), flip);
    }
  }
}

// Σ over the block of code · activation for the 8 rows of one half, one
// token whose 32 activations start at q (group g at q + g * q_group_stride).
template <bool kQ4>
inline __m256i BlockSum(const __m256i w[kGroups], const int8_t* q, int64_t q_group_stride, int32_t bias) {
  const __m256i ones = _mm256_set1_epi16(1);
  if constexpr (kQ4) {
    __m256i pairs[2] = {_mm256_maddubs_epi16(w[0], Broadcast4(q)),
                        _mm256_maddubs_epi16(w[1], Broadcast4(q + q_group_stride))};
#pragma GCC unroll 8
    for (int g = 2; g < kGroups; ++g) {
      pairs[g % 2] = _mm256_add_epi16(pairs[g % 2], _mm256_maddubs_epi16(w[g], Broadcast4(q + g * q_group_stride)));
    }
    const __m256i sum = _mm256_madd_epi16(_mm256_add_epi16(pairs[0], pairs[1]), ones);
    return _mm256_add_epi32(sum, _mm256_set1_epi32(bias));
  } else {
    __m256i sums[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
#pragma GCC unroll 8
    for (int g = 0; g < kGroups; ++g) {
      const __m256i a = _mm256_sign_epi8(Broadcast4(q + g * q_group_stride), w[g]);
      const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(w[g], w[g]), a);
      sums[g % 2] = _mm256_add_epi32(sums[g % 2], _mm256_madd_epi16(products, ones));
    }
    return _mm256_add_epi32(sums[0], sums[1]);
  }
}

template <bool kQ4, int kTokens>
void PackedPanelT(const uint8_t* panel, int64_t n_blocks, const ActTile& x, float* y, int64_t y_stride) {
  constexpr int64_t kRecordBytes = kQ4 ? 288 : 544;
  __m256 acc[2][kTokens];
  for (int h = 0; h < 2; ++h) {
    for (int t = 0; t < kTokens; ++t) acc[h][t] = _mm256_setzero_ps();
  }
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* record = panel + b * kRecordBytes;
#pragma GCC unroll 9
    for (int64_t line = 0; line < kRecordBytes; line += 64) {
      _mm_prefetch(reinterpret_cast<const char*>(record + kPrefetchBytes + line), _MM_HINT_T1);
    }
    const int8_t* q = x.q + b * kQk32 * kTokens;
    const int32_t* bias = x.bias + b * kTokens;
    const float* scale = x.scale + b * kTokens;
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const __m256 w_scales =
          _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(record + 16 * h)));
      __m256i w[kGroups];
      LoadHalf<kQ4>(record, h, w);
      // Two tokens in flight: the 8 code registers stay live, the rest spill.
#pragma GCC unroll 2
      for (int t = 0; t < kTokens; ++t) {
        const __m256i isum = BlockSum<kQ4>(w, q + t * 4, kTokens * 4, bias[t]);
        acc[h][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(w_scales, _mm256_set1_ps(scale[t])),
                                    acc[h][t]);
      }
    }
  }
  for (int t = 0; t < kTokens; ++t) {
    _mm256_storeu_ps(y + t * y_stride, acc[0][t]);
    _mm256_storeu_ps(y + t * y_stride + 8, acc[1][t]);
  }
}

using PanelKernel = void (*)(const uint8_t*, int64_t, const ActTile&, float*, int64_t);

template <bool kQ4, int... kCounts>
constexpr auto MakeKernelTable(std::integer_sequence<int, kCounts...>) {
  return std::array<PanelKernel, sizeof...(kCounts)>{&PackedPanelT<kQ4, kCounts + 1>...};
}

}  // namespace

void PackedGemmPanelAvx2(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x, int n_tokens,
                         float* y, int64_t y_stride) {
  if (IsPackedKQuant(packed_dtype)) {
    return PackedGemmPanelKAvx2(packed_dtype, panel, n_blocks, x, n_tokens, y, y_stride);
  }
  static constexpr auto kQ4Kernels = MakeKernelTable<true>(std::make_integer_sequence<int, kTileTokens>());
  static constexpr auto kQ8Kernels = MakeKernelTable<false>(std::make_integer_sequence<int, kTileTokens>());
  const auto& kernels = packed_dtype == DType::kQ4_0x16 ? kQ4Kernels : kQ8Kernels;
  kernels[n_tokens - 1](panel, n_blocks, x, y, y_stride);
}

}  // namespace fab::kernels
