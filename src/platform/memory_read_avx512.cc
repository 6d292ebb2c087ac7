// The AVX-512 read loop of the bandwidth probe: eight independent 512-bit
// accumulators, so the loop is bound by memory, not by adds. Call only when
// GetCpuFeatures().HasAvx512Set().
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace fab::internal {

uint64_t SumWordsAvx512(const uint64_t* words, size_t n) {
  __m512i acc[8];
  for (__m512i& a : acc) a = _mm512_set1_epi64(0);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    for (int lane = 0; lane < 8; ++lane) {
      acc[lane] = _mm512_add_epi64(acc[lane], _mm512_loadu_si512(words + i + 8 * lane));
    }
  }
  uint64_t total = 0;
  alignas(64) uint64_t lanes[8];
  for (const __m512i& a : acc) {
    _mm512_store_si512(lanes, a);
    for (uint64_t lane : lanes) total += lane;
  }
  for (; i < n; ++i) total += words[i];
  return total;
}

}  // namespace fab::internal
