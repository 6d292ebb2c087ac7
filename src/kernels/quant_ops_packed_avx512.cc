// AVX-512 VNNI kernel over packed q4_0x16 / q8_0x16 panels (packed_weights.h):
// lanes are the 16 weight rows of the panel. Per block, the 8 groups of 4
// codes are loaded once (q4_0: 4 loads, low/high nibble masks) and reused by
// every token; per token, the block's integer sum starts at the activation
// bias (-code_offset * Σq) and takes 8 vpdpbusd whose signed operand is the
// token's 4 activations broadcast from memory (vpbroadcastd m32: a load-port
// op; GCC 12 does not fold it into vpdpbusd as {1to16}, and folding it by
// hand measured no faster), then one fma(cvt(sum), w_scales * x_scale, acc).
// Cost per token and block: 8 vpdpbusd + cvt + mul + fma on the vector
// pipes, so at most 8/11 of the vpdpbusd peak (measured ~70% on Zen 5).
// No horizontal reductions: one kernel, instantiated per token count 1..16,
// serves generation and batches.
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

namespace fab::kernels {
namespace {

constexpr int kGroups = 8;  // groups of 4 codes per 32-element block

// acc += codes · (the 4 activations at p, broadcast to every lane).
inline __m512i DotBroadcast(__m512i acc, __m512i codes, const int8_t* p) {
  int32_t value;
  std::memcpy(&value, p, sizeof(value));
  return _mm512_dpbusd_epi32(acc, codes, _mm512_set1_epi32(value));
}

// The 8 code groups of one block record: w[g] lanes r = codes 4g..4g+3 of row r.
template <bool kQ4>
inline void LoadCodes(const uint8_t* record, __m512i w[kGroups]) {
  const uint8_t* codes = record + 2 * kPanelRows;
  if constexpr (kQ4) {
    const __m512i low_nibbles = _mm512_set1_epi8(0x0F);
    for (int i = 0; i < 4; ++i) {
      const __m512i bytes = _mm512_loadu_si512(codes + 64 * i);
      w[i] = _mm512_and_si512(bytes, low_nibbles);
      w[4 + i] = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), low_nibbles);
    }
  } else {
    for (int g = 0; g < kGroups; ++g) w[g] = _mm512_loadu_si512(codes + 64 * g);
  }
}

// Tokens run in groups of kGroupTokens whose vpdpbusd chains interleave in
// program order (group-major, code group inner), so the scheduler always
// sees independent products; registers: 8 codes + kTokens accumulators +
// kGroupTokens sums + scales ≤ 32 zmm.
constexpr int kGroupTokens = 4;
// Software prefetch into L2, this far ahead along the panel: a single
// sequential stream per thread otherwise leaves generation (few tokens)
// latency-bound (measured: 16 KB and _MM_HINT_T1 beat 4-8 KB and T0).
constexpr int kPrefetchBytes = 16384;

// One block of one token (generation), the 8-long vpdpbusd chain split in 4.
template <bool kQ4>
inline __m512 GemvBlock(const uint8_t* record, const int8_t* q, int32_t bias, float scale, __m512 acc) {
  const __m512 w_scales = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(record)));
  __m512i w[kGroups];
  LoadCodes<kQ4>(record, w);
  __m512i part[4] = {_mm512_set1_epi32(bias), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
#pragma GCC unroll 8
  for (int g = 0; g < kGroups; ++g) part[g % 4] = DotBroadcast(part[g % 4], w[g], q + g * 4);
  const __m512i isum = _mm512_add_epi32(_mm512_add_epi32(part[0], part[1]), _mm512_add_epi32(part[2], part[3]));
  return _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(w_scales, _mm512_set1_ps(scale)), acc);
}

// Generation over a panel read as two streams (first and second half of the
// blocks) with independent accumulators.
template <bool kQ4>
void GemvPanel(const uint8_t* panel, int64_t n_blocks, const ActTile& x, float* y) {
  constexpr int64_t kRecordBytes = kQ4 ? 288 : 544;
  const int64_t half = n_blocks / 2;
  __m512 acc[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
  for (int64_t b = 0; b < half; ++b) {
#pragma GCC unroll 2
    for (int s = 0; s < 2; ++s) {
      const int64_t block = b + s * half;
      const uint8_t* record = panel + block * kRecordBytes;
#pragma GCC unroll 9
      for (int64_t line = 0; line < kRecordBytes; line += 64) {
        _mm_prefetch(reinterpret_cast<const char*>(record + kPrefetchBytes + line), _MM_HINT_T1);
      }
      acc[s] = GemvBlock<kQ4>(record, x.q + block * kQk32, x.bias[block], x.scale[block], acc[s]);
    }
  }
  for (int64_t block = 2 * half; block < n_blocks; ++block) {
    acc[0] = GemvBlock<kQ4>(panel + block * kRecordBytes, x.q + block * kQk32, x.bias[block], x.scale[block], acc[0]);
  }
  _mm512_storeu_ps(y, _mm512_add_ps(acc[0], acc[1]));
}

template <bool kQ4, int kTokens>
void PackedPanelT(const uint8_t* panel, int64_t n_blocks, const ActTile& x, float* y, int64_t y_stride) {
  if constexpr (kTokens == 1) return GemvPanel<kQ4>(panel, n_blocks, x, y);
  constexpr int64_t kRecordBytes = kQ4 ? 288 : 544;
  __m512 acc[kTokens];
  for (int t = 0; t < kTokens; ++t) acc[t] = _mm512_setzero_ps();
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* record = panel + b * kRecordBytes;
#pragma GCC unroll 9
    for (int64_t line = 0; line < kRecordBytes; line += 64) {
      _mm_prefetch(reinterpret_cast<const char*>(record + kPrefetchBytes + line), _MM_HINT_T1);
    }
    const __m512 w_scales = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(record)));
    __m512i w[kGroups];
    LoadCodes<kQ4>(record, w);
    const int8_t* q = x.q + b * kQk32 * kTokens;
    const int32_t* bias = x.bias + b * kTokens;
    const float* scale = x.scale + b * kTokens;
#pragma GCC unroll 16
    for (int t0 = 0; t0 < kTokens; t0 += kGroupTokens) {
      constexpr int kN = kGroupTokens;
      __m512i isum[kN];
#pragma GCC unroll 4
      for (int j = 0; j < kN; ++j) {
        if (t0 + j < kTokens) isum[j] = _mm512_set1_epi32(bias[t0 + j]);
      }
#pragma GCC unroll 8
      for (int g = 0; g < kGroups; ++g) {
#pragma GCC unroll 4
        for (int j = 0; j < kN; ++j) {
          if (t0 + j < kTokens) isum[j] = DotBroadcast(isum[j], w[g], q + (g * kTokens + t0 + j) * 4);
        }
      }
#pragma GCC unroll 4
      for (int j = 0; j < kN; ++j) {
        if (t0 + j < kTokens) {
          acc[t0 + j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[j]),
                                        _mm512_mul_ps(w_scales, _mm512_set1_ps(scale[t0 + j])), acc[t0 + j]);
        }
      }
    }
  }
  for (int t = 0; t < kTokens; ++t) _mm512_storeu_ps(y + t * y_stride, acc[t]);
}

using PanelKernel = void (*)(const uint8_t*, int64_t, const ActTile&, float*, int64_t);

template <bool kQ4, int... kCounts>
constexpr auto MakeKernelTable(std::integer_sequence<int, kCounts...>) {
  return std::array<PanelKernel, sizeof...(kCounts)>{&PackedPanelT<kQ4, kCounts + 1>...};
}

}  // namespace

void PackedGemmPanelAvx512(DType packed_dtype, const uint8_t* panel, int64_t n_blocks, const ActTile& x,
                           int n_tokens, float* y, int64_t y_stride) {
  if (IsPackedKQuant(packed_dtype)) {
    return PackedGemmPanelKAvx512(packed_dtype, panel, n_blocks, x, n_tokens, y, y_stride);
  }
  static constexpr auto kQ4Kernels = MakeKernelTable<true>(std::make_integer_sequence<int, kTileTokens>());
  static constexpr auto kQ8Kernels = MakeKernelTable<false>(std::make_integer_sequence<int, kTileTokens>());
  const auto& kernels = packed_dtype == DType::kQ4_0x16 ? kQ4Kernels : kQ8Kernels;
  kernels[n_tokens - 1](panel, n_blocks, x, y, y_stride);
}

}  // namespace fab::kernels
