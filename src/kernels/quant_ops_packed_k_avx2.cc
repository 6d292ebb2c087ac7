// AVX2 kernel over packed q4_Kx16 / q5_Kx16 / q6_Kx16 panels (packed_weights.h)
// with q8_K-style activations (quant_ops.h KActSumLength), for CPUs without
// AVX-512 VNNI. A ymm holds 4 codes of each of 8 rows, so a panel is two
// halves (rows 0-7, 8-15: the first and second 32 bytes of every 64-byte
// chunk), done one after the other within each super-block record. Per half
// and record: the sub-block scales are spread to int16 words (vpshufb) and
// the mins / q6_K scales to int16 pairs; per sub-block its codes are decoded
// once into registers and reused by every token. Per token and sub-block:
// vpmaddubsw of the codes (unsigned) with the token's 4 activations
// broadcast (signed) gives int16 pairs, summed in int16 as far as they cannot
// overflow (q4_K 8 groups ≤ 8·2·15·127 = 30480; q5_K 4 ≤ 31496; q6_K 2 ≤
// 32004), then vpmaddwd with the sub-block's scale words multiplies and
// widens in one step, so the scales cost nothing beyond the ones vector the
// q4_0 kernel multiplies by. The min / offset term is 4 (8) vpmaddwd of the
// mins / q6_K scales with the token's int16 sub-block sums; then one float
// step per token as in the AVX-512 kernel.
// Compiled with the AVX2 flags; dispatch.cc uses it on CPUs with AVX2.
#include <immintrin.h>

#include <array>
#include <cstring>
#include <utility>

#include "kernels/packed_weights.h"
#include "kernels/quant_blocks.h"
#include "kernels/quant_ops.h"
#include "kernels/quant_ops_packed_k-inl.h"

namespace fab::kernels {
namespace {



// Half h of a 64-byte chunk: rows 8h..8h+7.
inline __m256i Load(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

inline __m256i Broadcast32(const void* p) {
  int32_t value;
  std::memcpy(&value, p, sizeof(value));
  return _mm256_set1_epi32(value);
}

inline __m256i Shuffle(__m256i bytes, const Pattern<8>& pattern) {
  return _mm256_shuffle_epi8(bytes, _mm256_load_si256(reinterpret_cast<const __m256i*>(pattern.dwords)));
}

// lo | (high & mask), bytewise.
inline __m256i OrMasked(__m256i lo, __m256i high, int mask) {
  return _mm256_or_si256(lo, _mm256_and_si256(high, _mm256_set1_epi8(static_cast<char>(mask))));
}

inline __m256i Nibble(__m256i bytes, int high) {
  const __m256i mask = _mm256_set1_epi8(0x0F);
  return _mm256_and_si256(high ? _mm256_srli_epi16(bytes, 4) : bytes, mask);
}

// Codes of group g (elements 4g..4g+3) of the 32-element block that `source`
// describes, for the 8 rows of half h: lanes r = 4 unsigned codes of row r.
template <class K>
inline __m256i Codes(const uint8_t* record, int half, const CodeSource& source, int g) {
  const uint8_t* base = record + 32 * half;
  const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
  const __m256i bytes = Load(base + source.low_offset + 64 * g);
  const __m256i lo = _mm256_and_si256(_mm256_srl_epi16(bytes, source.nibble_shift), low_nibbles);
  if constexpr (!kIsQ6<K> && K::kQh < 0) {
    return lo;
  } else {
    const __m256i high = _mm256_srl_epi16(Load(base + source.high_offset + 64 * g), source.high_shift);
    return OrMasked(lo, _mm256_slli_epi16(high, 4), kIsQ6<K> ? 0x30 : 0x10);
  }
}

// Per half and record: scale words (sc, sc) per row dword and the int16
// pairs of the min / offset term.
template <class K>
struct Scales {
  __m256i words[kSubBlocks<K>];
  __m256i pairs[kPairs<K>];
};

template <class K>
inline void DecodeScales(const uint8_t* record, int half, Scales<K>* out) {
  const uint8_t* base = record + K::kScales + 32 * half;
  if constexpr (kIsQ6<K>) {
    for (int c = 0; c < 4; ++c) {
      const __m256i bytes = Load(base + 64 * c);
      for (int i = 0; i < 4; ++i) out->words[4 * c + i] = _mm256_srai_epi16(Shuffle(bytes, kByteToWordTops<8>[i]), 8);
      for (int i = 0; i < 2; ++i) out->pairs[2 * c + i] = _mm256_srai_epi16(Shuffle(bytes, kPairToWordTops<8>[i]), 8);
    }
  } else {
    const __m256i a = Load(base), b = Load(base + 64), c = Load(base + 128);
    const __m256i six_bits = _mm256_set1_epi8(0x3F);
    const __m256i scales_low = _mm256_and_si256(a, six_bits);
    const __m256i mins_low = _mm256_and_si256(b, six_bits);
    const __m256i scales_high = OrMasked(Nibble(c, 0), _mm256_srli_epi16(a, 2), 0x30);
    const __m256i mins_high = OrMasked(Nibble(c, 1), _mm256_srli_epi16(b, 2), 0x30);
    for (int i = 0; i < 4; ++i) {
      out->words[i] = Shuffle(scales_low, kByteToWords<8>[i]);
      out->words[4 + i] = Shuffle(scales_high, kByteToWords<8>[i]);
    }
    for (int i = 0; i < 2; ++i) {
      out->pairs[i] = Shuffle(mins_low, kPairToWords<8>[i]);
      out->pairs[2 + i] = Shuffle(mins_high, kPairToWords<8>[i]);
    }
  }
}

// Σ_{k in sub} code_k · q_k · scale_sub for one token (its activation
// groups at q, q_stride bytes apart) over the 8 rows of a half, from the
// sub-block's codes w.
template <class K>
inline __m256i ScaledSubDot(const __m256i* w, __m256i scale_words, const int8_t* q, int q_stride) {
  __m256i isum = _mm256_setzero_si256();
#pragma GCC unroll 4
  for (int g0 = 0; g0 < kGroupsPerSub<K>; g0 += K::kPartialGroups) {
    __m256i pairs = _mm256_maddubs_epi16(w[g0], Broadcast32(q + g0 * q_stride));
#pragma GCC unroll 8
    for (int g = g0 + 1; g < g0 + K::kPartialGroups; ++g) {
      pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(w[g], Broadcast32(q + g * q_stride)));
    }
    isum = _mm256_add_epi32(isum, _mm256_madd_epi16(pairs, scale_words));
  }
  return isum;
}

// Per half: each sub-block's codes are decoded once into registers and run
// against every token, whose integer sums stay in memory (one load and store
// per token and sub-block); 8 codes + a few temporaries fit the 16 ymm.
template <class K, int kTokens>
void PackedPanelK(const uint8_t* panel, int64_t n_blocks, const ActTile& x, float* y, int64_t y_stride) {
  constexpr int kGroups = kGroupsPerSub<K>;
  alignas(32) float acc[2][kTokens][8] = {};
  Scales<K> scales;
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* record = panel + b * K::kRecordBytes;
    const int8_t* q = x.q + b * kQkK * kTokens;
    const int32_t* sums = x.bias + b * kTokens * kPairs<K>;
    const float* x_scale = x.scale + b * kTokens;
    for (int h = 0; h < 2; ++h) {
      DecodeScales<K>(record, h, &scales);
      __m256i isum[kTokens];
      for (int t = 0; t < kTokens; ++t) isum[t] = _mm256_setzero_si256();
      ForEachSubBlock<kSubBlocks<K>, kTokens <= kMaxTokensUnrolled>([&](int sub) __attribute__((always_inline)) {
        PrefetchShare<K, 2 * kSubBlocks<K>>(record + kPrefetchBytes, h * kSubBlocks<K> + sub);
        const CodeSource source = SourceOf<K>(sub * kGroups / 8);
        const int g_begin = sub * kGroups % 8;
        __m256i w[kGroups];
#pragma GCC unroll 8
        for (int g = 0; g < kGroups; ++g) w[g] = Codes<K>(record, h, source, g_begin + g);
        const int8_t* q_sub = q + sub * kGroups * kTokens * 4;
        for (int t = 0; t < kTokens; ++t) {
          isum[t] = _mm256_add_epi32(isum[t], ScaledSubDot<K>(w, scales.words[sub], q_sub + 4 * t, 4 * kTokens));
        }
      });
      const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(record + K::kD + 16 * h)));
      for (int t = 0; t < kTokens; ++t) {
        __m256i term = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int p = 0; p < kPairs<K>; ++p) {
          term = _mm256_add_epi32(term, _mm256_madd_epi16(scales.pairs[p], Broadcast32(sums + t * kPairs<K> + p)));
        }
        __m256 value;
        if constexpr (kIsQ6<K>) {
          value = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_sub_epi32(isum[t], _mm256_slli_epi32(term, 5))));
        } else {
          const __m256 dmin =
              _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(record + K::kDmin + 16 * h)));
          value = _mm256_fmsub_ps(d, _mm256_cvtepi32_ps(isum[t]), _mm256_mul_ps(dmin, _mm256_cvtepi32_ps(term)));
        }
        _mm256_store_ps(acc[h][t], _mm256_fmadd_ps(value, _mm256_set1_ps(x_scale[t]), _mm256_load_ps(acc[h][t])));
      }
    }
  }
  for (int t = 0; t < kTokens; ++t) {
    _mm256_storeu_ps(y + t * y_stride, _mm256_load_ps(acc[0][t]));
    _mm256_storeu_ps(y + t * y_stride + 8, _mm256_load_ps(acc[1][t]));
  }
}

using PanelKernel = void (*)(const uint8_t*, int64_t, const ActTile&, float*, int64_t);

template <class K, int... kCounts>
constexpr auto MakeKernelTable(std::integer_sequence<int, kCounts...>) {
  return std::array<PanelKernel, sizeof...(kCounts)>{&PackedPanelK<K, kCounts + 1>...};
}

}  // namespace

void PackedGemmPanelKAvx2(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x, int n_tokens,
                          float* y, int64_t y_stride) {
  static constexpr auto kQ4Kernels = MakeKernelTable<Q4K>(std::make_integer_sequence<int, kTileTokens>());
  static constexpr auto kQ5Kernels = MakeKernelTable<Q5K>(std::make_integer_sequence<int, kTileTokens>());
  static constexpr auto kQ6Kernels = MakeKernelTable<Q6K>(std::make_integer_sequence<int, kTileTokens>());
  const auto& kernels = packed_dtype == DType::kQ4_Kx16   ? kQ4Kernels
                        : packed_dtype == DType::kQ5_Kx16 ? kQ5Kernels
                                                          : kQ6Kernels;
  kernels[n_tokens - 1](panel, n_blocks, x, y, y_stride);
}

// q8_K-style quantization (quant_ops.h) with the scalar twin's float
// operations in the same order, so every table gives the same bytes.
void QuantizeActivationRowKAvx2(int sum_len, const float* x, int64_t n_in, const ActRow& out) {
  const int n_pairs = kQkK / sum_len / 2;
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  for (int64_t sb = 0; sb < n_in / kQkK; ++sb) {
    const float* xs = x + sb * kQkK;
    __m256 amax = _mm256_setzero_ps();
    for (int i = 0; i < kQkK; i += 8) amax = _mm256_max_ps(amax, _mm256_and_ps(_mm256_loadu_ps(xs + i), abs_mask));
    __m128 max4 = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
    max4 = _mm_max_ps(max4, _mm_movehl_ps(max4, max4));
    max4 = _mm_max_ss(max4, _mm_movehdup_ps(max4));
    const float scale = _mm_cvtss_f32(max4) / 127.0f;
    const __m256 inv_scale = _mm256_set1_ps(scale != 0.0f ? 1.0f / scale : 0.0f);
    alignas(32) int32_t q32[kQkK];
    for (int i = 0; i < kQkK; i += 8) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(q32 + i),
                         _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xs + i), inv_scale)));
    }
    int32_t sums[16] = {};
    int8_t* q = out.q + sb * kQkK;
    for (int i = 0; i < kQkK; ++i) {
      q[i] = static_cast<int8_t>(q32[i]);
      sums[i / sum_len] += q32[i];
    }
    out.scale[sb] = scale;
    StoreSumPairs(sums, sum_len, out.bias + sb * n_pairs);
  }
}

}  // namespace fab::kernels
