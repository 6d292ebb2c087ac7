// AVX-512 VNNI kernel over packed q4_Kx16 / q5_Kx16 / q6_Kx16 panels
// (packed_weights.h) with q8_K-style activations (quant_ops.h
// KActSumLength): lanes are the 16 weight rows of the panel. Per super-block
// record, once per panel and token tile: the 6-bit (q4_K / q5_K) or 8-bit
// (q6_K) sub-block scales are spread to one int32 per row (vpshufb from the
// transposed scale chunks) and the mins / q6_K scales to int16 pairs. Per
// sub-block (32 elements; 16 for q6_K) its 8 (4) code vectors are decoded
// once (q5_K / q6_K: nibble | high bits by one vpternlogd) and reused by
// every token:
//   8 (4) vpdpbusd of the codes with the token's 4 activations broadcast,
//   then isum += sum · scale (vpmulld, exact);
// then per token and super-block the min / offset term, 4 (8) vpdpwssd of
// the int16 mins / scales with the token's int16 sub-block sums, and one
// float step: acc += x_scale · (d · isum − dmin · msum) (q6_K:
// d · (isum − 32 · osum)).
// Integer sums are exact: |isum| < 2^31 for every input (q6_K, the largest:
// 16 · 128 · 16 · 63 · 127 < 2^28). Cost per token and 256 weights: 64
// vpdpbusd + 8 (16) vpmulld + vpaddd + 4 (8) vpdpwssd + ~6 float ops.
// Compiled with the AVX-512 flags; dispatch.cc uses it only on CPUs with VNNI.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
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



inline __m512i Load(const uint8_t* p) { return _mm512_loadu_si512(p); }

inline __m512i Broadcast32(const void* p) {
  int32_t value;
  std::memcpy(&value, p, sizeof(value));
  return _mm512_set1_epi32(value);
}

inline __m512i Shuffle(__m512i bytes, const Pattern<16>& pattern) {
  return _mm512_shuffle_epi8(bytes, _mm512_load_si512(pattern.dwords));
}

// lo | (high & mask), bytewise.
inline __m512i OrMasked(__m512i lo, __m512i high, int mask) {
  return _mm512_ternarylogic_epi32(lo, high, _mm512_set1_epi8(static_cast<char>(mask)), 0xF8);
}

inline __m512i Nibble(__m512i bytes, int high) {
  const __m512i mask = _mm512_set1_epi8(0x0F);
  return _mm512_and_si512(high ? _mm512_srli_epi16(bytes, 4) : bytes, mask);
}

// Codes of group g (elements 4g..4g+3) of the 32-element block that `source`
// describes: lanes r = 4 unsigned codes of row r.
template <class K>
inline __m512i Codes(const uint8_t* record, const CodeSource& source, int g) {
  const __m512i low_nibbles = _mm512_set1_epi8(0x0F);
  const __m512i bytes = Load(record + source.low_offset + 64 * g);
  const __m512i lo = _mm512_and_si512(_mm512_srl_epi16(bytes, source.nibble_shift), low_nibbles);
  if constexpr (!kIsQ6<K> && K::kQh < 0) {
    return lo;
  } else {
    const __m512i high = _mm512_srl_epi16(Load(record + source.high_offset + 64 * g), source.high_shift);
    return OrMasked(lo, _mm512_slli_epi16(high, 4), kIsQ6<K> ? 0x30 : 0x10);
  }
}

// Per-row sub-block scales (int32 lanes) and the int16 pairs of the min /
// offset term, decoded once per record.
template <class K>
struct Scales {
  __m512i scale[kSubBlocks<K>];
  __m512i pairs[kPairs<K>];
};

template <class K>
inline void DecodeScales(const uint8_t* record, Scales<K>* out) {
  if constexpr (kIsQ6<K>) {
    for (int c = 0; c < 4; ++c) {
      const __m512i bytes = Load(record + K::kScales + 64 * c);  // scales 4c..4c+3 of each row
      for (int i = 0; i < 4; ++i) {
        out->scale[4 * c + i] = _mm512_srai_epi32(Shuffle(bytes, kByteToTop<16>[i]), 24);
      }
      for (int i = 0; i < 2; ++i) {
        out->pairs[2 * c + i] = _mm512_srai_epi16(Shuffle(bytes, kPairToWordTops<16>[i]), 8);
      }
    }
  } else {
    // ggml's 12 bytes per row: a = bytes 0-3, b = 4-7, c = 8-11.
    const __m512i a = Load(record + K::kScales), b = Load(record + K::kScales + 64);
    const __m512i c = Load(record + K::kScales + 128);
    const __m512i six_bits = _mm512_set1_epi8(0x3F);
    const __m512i scales_low = _mm512_and_si512(a, six_bits);  // scales 0-3
    const __m512i mins_low = _mm512_and_si512(b, six_bits);    // mins 0-3
    const __m512i scales_high = OrMasked(Nibble(c, 0), _mm512_srli_epi16(a, 2), 0x30);
    const __m512i mins_high = OrMasked(Nibble(c, 1), _mm512_srli_epi16(b, 2), 0x30);
    for (int i = 0; i < 4; ++i) {
      out->scale[i] = Shuffle(scales_low, kByteToDword<16>[i]);
      out->scale[4 + i] = Shuffle(scales_high, kByteToDword<16>[i]);
    }
    for (int i = 0; i < 2; ++i) {
      out->pairs[i] = Shuffle(mins_low, kPairToWords<16>[i]);
      out->pairs[2 + i] = Shuffle(mins_high, kPairToWords<16>[i]);
    }
  }
}

// Tokens run in groups of kGroupTokens whose vpdpbusd chains interleave (as
// in the q4_0 kernel); registers: kTokens integer sums + 8 codes + 4 partial
// sums ≤ 28 zmm, the float accumulators stay in memory (one load/fma/store
// per token and super-block).
constexpr int kGroupTokens = 4;

template <class K, int kTokens>
void PackedPanelK(const uint8_t* panel, int64_t n_blocks, const ActTile& x, float* y, int64_t y_stride) {
  constexpr int kGroups = kGroupsPerSub<K>;
  alignas(64) float acc[kTokens][kPanelRows] = {};
  Scales<K> scales;
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* record = panel + b * K::kRecordBytes;
    DecodeScales<K>(record, &scales);
    const int8_t* q = x.q + b * kQkK * kTokens;
    __m512i isum[kTokens];
#pragma GCC unroll 16
    for (int t = 0; t < kTokens; ++t) isum[t] = _mm512_setzero_si512();
    ForEachSubBlock<kSubBlocks<K>, kTokens <= kMaxTokensUnrolled>([&](int sub) __attribute__((always_inline)) {
      PrefetchShare<K, kSubBlocks<K>>(record + kPrefetchBytes, sub);
      const CodeSource source = SourceOf<K>(sub * kGroups / 8);
      const int g_begin = sub * kGroups % 8;
      __m512i w[kGroups];
#pragma GCC unroll 8
      for (int g = 0; g < kGroups; ++g) w[g] = Codes<K>(record, source, g_begin + g);
      const int8_t* q_sub = q + sub * kGroups * kTokens * 4;
#pragma GCC unroll 16
      for (int t0 = 0; t0 < kTokens; t0 += kGroupTokens) {
        constexpr int kN = kGroupTokens;
        __m512i part[kN];
#pragma GCC unroll 4
        for (int j = 0; j < kN; ++j) part[j] = _mm512_setzero_si512();
#pragma GCC unroll 8
        for (int g = 0; g < kGroups; ++g) {
#pragma GCC unroll 4
          for (int j = 0; j < kN; ++j) {
            if (t0 + j < kTokens) {
              part[j] = _mm512_dpbusd_epi32(part[j], w[g], Broadcast32(q_sub + (g * kTokens + t0 + j) * 4));
            }
          }
        }
#pragma GCC unroll 4
        for (int j = 0; j < kN; ++j) {
          if (t0 + j < kTokens) {
            isum[t0 + j] = _mm512_add_epi32(isum[t0 + j], _mm512_mullo_epi32(part[j], scales.scale[sub]));
          }
        }
      }
    });
    const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(record + K::kD)));
    const int32_t* sums = x.bias + b * kTokens * kPairs<K>;
    const float* x_scale = x.scale + b * kTokens;
#pragma GCC unroll 16
    for (int t = 0; t < kTokens; ++t) {
      __m512i term = _mm512_setzero_si512();
#pragma GCC unroll 8
      for (int p = 0; p < kPairs<K>; ++p) {
        term = _mm512_dpwssd_epi32(term, scales.pairs[p], Broadcast32(sums + t * kPairs<K> + p));
      }
      __m512 value;
      if constexpr (kIsQ6<K>) {
        value = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_sub_epi32(isum[t], _mm512_slli_epi32(term, 5))));
      } else {
        const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(record + K::kDmin)));
        value = _mm512_fmsub_ps(d, _mm512_cvtepi32_ps(isum[t]), _mm512_mul_ps(dmin, _mm512_cvtepi32_ps(term)));
      }
      _mm512_store_ps(acc[t], _mm512_fmadd_ps(value, _mm512_set1_ps(x_scale[t]), _mm512_load_ps(acc[t])));
    }
  }
  for (int t = 0; t < kTokens; ++t) _mm512_storeu_ps(y + t * y_stride, _mm512_load_ps(acc[t]));
}

using PanelKernel = void (*)(const uint8_t*, int64_t, const ActTile&, float*, int64_t);

template <class K, int... kCounts>
constexpr auto MakeKernelTable(std::integer_sequence<int, kCounts...>) {
  return std::array<PanelKernel, sizeof...(kCounts)>{&PackedPanelK<K, kCounts + 1>...};
}

}  // namespace

void PackedGemmPanelKAvx512(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                            int n_tokens, float* y, int64_t y_stride) {
  static constexpr auto kQ4Kernels = MakeKernelTable<Q4K>(std::make_integer_sequence<int, kTileTokens>());
  static constexpr auto kQ5Kernels = MakeKernelTable<Q5K>(std::make_integer_sequence<int, kTileTokens>());
  static constexpr auto kQ6Kernels = MakeKernelTable<Q6K>(std::make_integer_sequence<int, kTileTokens>());
  const auto& kernels = packed_dtype == DType::kQ4_Kx16   ? kQ4Kernels
                        : packed_dtype == DType::kQ5_Kx16 ? kQ5Kernels
                                                          : kQ6Kernels;
  kernels[n_tokens - 1](panel, n_blocks, x, y, y_stride);
}

// q8_K-style quantization (quant_ops.h): the scalar twin's float operations
// in the same order (max |x|, amax / 127, 1 / scale, x · inv rounded to
// nearest even), so every table gives the same bytes.
void QuantizeActivationRowKAvx512(int sum_len, const float* x, int64_t n_in, const ActRow& out) {
  const int n_pairs = kQkK / sum_len / 2;
  for (int64_t sb = 0; sb < n_in / kQkK; ++sb) {
    const float* xs = x + sb * kQkK;
    __m512 amax = _mm512_setzero_ps();
    for (int i = 0; i < kQkK; i += 16) amax = _mm512_max_ps(amax, _mm512_abs_ps(_mm512_loadu_ps(xs + i)));
    const float scale = _mm512_reduce_max_ps(amax) / 127.0f;
    const __m512 inv_scale = _mm512_set1_ps(scale != 0.0f ? 1.0f / scale : 0.0f);
    int32_t sums[16];
    for (int i = 0; i < 16; ++i) {
      const __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(xs + 16 * i), inv_scale));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out.q + sb * kQkK + 16 * i), _mm512_cvtsepi32_epi8(q));
      sums[i] = _mm512_reduce_add_epi32(q);
    }
    if (sum_len == 32) {
      for (int i = 0; i < 8; ++i) sums[i] = sums[2 * i] + sums[2 * i + 1];
    }
    out.scale[sb] = scale;
    StoreSumPairs(sums, sum_len, out.bias + sb * n_pairs);
  }
}

}  // namespace fab::kernels
