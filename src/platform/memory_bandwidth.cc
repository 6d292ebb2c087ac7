#include "platform/memory_bandwidth.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>

#include "base/aligned_buffer.h"
#include "base/clock.h"
#include "platform/cpu_features.h"

namespace fab {
namespace internal {
uint64_t SumWordsAvx512(const uint64_t* words, size_t n);
}  // namespace internal
namespace {

// Eight independent accumulators so the loop is bound by loads, not adds.
uint64_t SumWords(const uint64_t* words, size_t n) {
  uint64_t acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int lane = 0; lane < 8; ++lane) acc[lane] += words[i + lane];
  }
  for (; i < n; ++i) acc[0] += words[i];
  uint64_t total = 0;
  for (uint64_t a : acc) total += a;
  return total;
}

}  // namespace

double MeasureReadBandwidth(ThreadPool& pool, size_t buffer_bytes, int passes) {
  AlignedBuffer buffer(buffer_bytes);
  std::memset(buffer.data(), 1, buffer.size());  // fault every page in
  const size_t n_words = buffer.size() / sizeof(uint64_t);
  const uint64_t* words = buffer.as<uint64_t>();
  // The widest loads this CPU has: narrower ones under-read the bandwidth.
  uint64_t (*sum)(const uint64_t*, size_t) =
      GetCpuFeatures().HasAvx512Set() ? &internal::SumWordsAvx512 : &SumWords;
  std::atomic<uint64_t> sink{0};  // keeps the sums alive so the reads are not optimized away
  double best = 0.0;
  for (int pass = 0; pass < passes; ++pass) {
    const double start = NowSeconds();
    pool.ParallelFor(static_cast<int64_t>(n_words), 4096, [&](int64_t begin, int64_t end) {
      sink.fetch_add(sum(words + begin, static_cast<size_t>(end - begin)), std::memory_order_relaxed);
    });
    const double seconds = NowSeconds() - start;
    best = std::max(best, static_cast<double>(buffer.size()) / seconds);
  }
  volatile uint64_t keep = sink.load();
  (void)keep;
  return best;
}

}  // namespace fab
