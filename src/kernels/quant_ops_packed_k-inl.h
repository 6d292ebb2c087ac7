// What the packed K-quant kernels of every ISA share: the record offsets of
// kQ4_Kx16 / kQ5_Kx16 / kQ6_Kx16 (packed_weights.h), the sub-block geometry,
// vpshufb index tables built at compile time, where each 32-element block's
// codes lie, and the packing of q8_K-style activation sums (quant_ops.h).
// Included by quant_ops_packed_k*.cc only; like quant_decode-inl.h,
// everything has internal linkage so each ISA's translation unit keeps its
// own copy (only SSE2 intrinsics here, so any ISA's flags compile it).
#pragma once

#include <emmintrin.h>
#include <xmmintrin.h>

#include <cstdint>
#include <utility>

#include "kernels/quant_blocks.h"
#include "kernels/quant_ops.h"

namespace fab::kernels {
namespace {  // NOLINT: per-ISA copies on purpose (see above)

// Record offsets: 16 × each ggml block field offset. kPartialGroups: how
// many 4-code groups of vpmaddubsw int16 pair sums add without overflow
// (q4_K 8·2·15·127 = 30480, q5_K 4·2·31·127 = 31496, q6_K 2·2·63·127 = 32004).
struct Q4K {
  static constexpr int kRecordBytes = 2304, kSubLen = 32, kPartialGroups = 8, kD = 0, kDmin = 32, kScales = 64,
                       kQh = -1, kQs = 256;
};
struct Q5K {
  static constexpr int kRecordBytes = 2816, kSubLen = 32, kPartialGroups = 4, kD = 0, kDmin = 32, kScales = 64,
                       kQh = 256, kQs = 768;
};
struct Q6K {
  static constexpr int kRecordBytes = 3360, kSubLen = 16, kPartialGroups = 2, kQl = 0, kQh = 2048, kScales = 3072,
                       kD = 3328;
};

template <class K>
constexpr bool kIsQ6 = K::kSubLen == 16;
template <class K>
constexpr int kSubBlocks = kQkK / K::kSubLen;  // 8, or 16 for q6_K
template <class K>
constexpr int kGroupsPerSub = K::kSubLen / 4;  // 4-code groups per sub-block
template <class K>
constexpr int kPairs = kSubBlocks<K> / 2;  // int16 sum pairs per token

// A vpshufb index of kDwords dwords: dword d of each 128-bit lane takes bytes
// 4d + c[k] of its lane (c[k] < 0: zero). Loaded from .rodata.
template <int kDwords>
struct alignas(4 * kDwords) Pattern {
  uint32_t dwords[kDwords];
};

template <int kDwords>
constexpr Pattern<kDwords> MakePattern(int c0, int c1, int c2, int c3) {
  Pattern<kDwords> pattern{};
  const int c[4] = {c0, c1, c2, c3};
  for (int i = 0; i < kDwords; ++i) {
    for (int k = 0; k < 4; ++k) {
      const uint32_t byte = c[k] < 0 ? 0x80u : static_cast<uint32_t>(4 * (i % 4) + c[k]);
      pattern.dwords[i] |= byte << (8 * k);
    }
  }
  return pattern;
}

// Byte i of each dword, zero-extended to the dword (AVX-512 q4_K / q5_K scales).
template <int N>
constexpr Pattern<N> kByteToDword[4] = {MakePattern<N>(0, -1, -1, -1), MakePattern<N>(1, -1, -1, -1),
                                        MakePattern<N>(2, -1, -1, -1), MakePattern<N>(3, -1, -1, -1)};
// Byte i of each dword in its top byte (AVX-512 q6_K scales, then vpsrad 24).
template <int N>
constexpr Pattern<N> kByteToTop[4] = {MakePattern<N>(-1, -1, -1, 0), MakePattern<N>(-1, -1, -1, 1),
                                      MakePattern<N>(-1, -1, -1, 2), MakePattern<N>(-1, -1, -1, 3)};
// Byte i of each dword to both words' low / high bytes (AVX2 scale words;
// high bytes for q6_K's signed scales, then vpsraw 8).
template <int N>
constexpr Pattern<N> kByteToWords[4] = {MakePattern<N>(0, -1, 0, -1), MakePattern<N>(1, -1, 1, -1),
                                        MakePattern<N>(2, -1, 2, -1), MakePattern<N>(3, -1, 3, -1)};
template <int N>
constexpr Pattern<N> kByteToWordTops[4] = {MakePattern<N>(-1, 0, -1, 0), MakePattern<N>(-1, 1, -1, 1),
                                           MakePattern<N>(-1, 2, -1, 2), MakePattern<N>(-1, 3, -1, 3)};
// Bytes 2i, 2i+1 of each dword to its two words' low / high bytes (q4_K /
// q5_K mins; q6_K scales, then vpsraw 8).
template <int N>
constexpr Pattern<N> kPairToWords[2] = {MakePattern<N>(0, -1, 1, -1), MakePattern<N>(2, -1, 3, -1)};
template <int N>
constexpr Pattern<N> kPairToWordTops[2] = {MakePattern<N>(-1, 0, -1, 1), MakePattern<N>(-1, 2, -1, 3)};

// Where the codes of 32-element block j of a super-block come from: the
// first code chunk (group g adds 64·g), the nibble as a shift count, the
// first high-bit chunk and the shift that brings its bits to bit 0 (counts
// as vpsrlw xmm operands, so a loop over j needs no unrolling or branches).
struct CodeSource {
  int low_offset;
  int high_offset;
  __m128i nibble_shift;
  __m128i high_shift;
};

template <class K>
inline CodeSource SourceOf(int j) {
  if constexpr (kIsQ6<K>) {  // ql chunk 16·part + 8·(i%2) + g, nibble i/2; qh chunk 8·part + g, bits 2i
    const int part = j / 4, i = j % 4;
    return CodeSource{K::kQl + 64 * (16 * part + 8 * (i % 2)), K::kQh + 64 * 8 * part, _mm_cvtsi32_si128(4 * (i / 2)),
                      _mm_cvtsi32_si128(2 * i)};
  } else {  // qs chunk 8·(j/2) + g, nibble j%2; qh chunk g, bit j
    return CodeSource{K::kQs + 64 * 8 * (j / 2), K::kQh, _mm_cvtsi32_si128(4 * (j % 2)), _mm_cvtsi32_si128(j)};
  }
}

// Calls body(i) for i = 0..kCount-1: unrolled, so that code offsets and
// shifts become constants, when kUnroll (few tokens: the decode is a large
// share of the work and the loop overhead with it), else as a loop (many
// tokens: the body is long and the code would outgrow the L1i). `body` is
// a lambda marked always_inline.
template <int kCount, bool kUnroll, class Body>
inline void ForEachSubBlock(const Body& body) {
  if constexpr (kUnroll) {
    [&]<int... kIndices>(std::integer_sequence<int, kIndices...>) {
      (body(kIndices), ...);
    }(std::make_integer_sequence<int, kCount>());
  } else {
    for (int i = 0; i < kCount; ++i) body(i);
  }
}

// Token counts up to this unroll the sub-block loop.
constexpr int kMaxTokensUnrolled = 2;

// Software prefetch into L1 this far ahead along the panel (one sequential
// stream per thread).
constexpr int kPrefetchBytes = 16384;

// Prefetches share `part` of kParts of the record at `ahead`: a record's
// 36-53 lines spread over its sub-blocks. Measured on Zen 4, one token, cold
// weights: spread T0 at 16 KB streams q4_K / q6_K at ~26 GB/s per thread,
// while one burst per record (T0 or T1, 6-32 KB ahead) or two interleaved
// streams read 11-20 GB/s, behind the file-layout kernels.
template <class K, int kParts>
inline void PrefetchShare(const uint8_t* ahead, int part) {
  constexpr int kLines = (K::kRecordBytes + 63) / 64;
  constexpr int kLinesPerPart = (kLines + kParts - 1) / kParts;
#pragma GCC unroll 8
  for (int i = 0; i < kLinesPerPart; ++i) {
    const int line = part * kLinesPerPart + i;
    if (line < kLines) _mm_prefetch(reinterpret_cast<const char*>(ahead + 64 * line), _MM_HINT_T0);
  }
}

// Stores the per-sub-block sums of one super-block (sum_len 16 or 32) as
// int16 pairs (quant_ops.h): out[p] = sums[2p] (low half) | sums[2p+1] << 16.
inline void StoreSumPairs(const int32_t* sums, int sum_len, int32_t* out) {
  for (int p = 0; p < kQkK / sum_len / 2; ++p) {
    out[p] = static_cast<int32_t>((static_cast<uint32_t>(sums[2 * p]) & 0xFFFF) |
                                  (static_cast<uint32_t>(sums[2 * p + 1]) << 16));
  }
}

}  // namespace
}  // namespace fab::kernels
