// Helpers shared by the float32 kernel tests: the ISA tables this CPU runs,
// the size sweep, misaligned buffers and seeded random fills.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "base/aligned_buffer.h"
#include "kernels/dispatch.h"

namespace fab::kernels::testing {

// The vector tables this CPU runs (never the scalar one).
inline std::vector<const KernelTable*> VectorTables() {
  std::vector<const KernelTable*> tables;
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    if (const KernelTable* table = KernelsFor(isa)) tables.push_back(table);
  }
  return tables;
}

inline const KernelTable& ScalarTable() { return *KernelsFor(Isa::kScalar); }

// 1..70 exhaustively, then sizes around vector and unroll boundaries up to 4099.
inline std::vector<int64_t> SweepSizes() {
  std::vector<int64_t> sizes;
  for (int64_t n = 1; n <= 70; ++n) sizes.push_back(n);
  for (int64_t n : {95,   96,   97,   127,  128,  129,  255,  256,  257,  511, 513,
                    1000, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4099}) {
    sizes.push_back(n);
  }
  return sizes;
}

inline constexpr int kMaxMisalignFloats = 15;

// A float array of n elements starting `offset_floats` past a 64-byte
// boundary, so kernels see every misalignment.
class MisalignedFloats {
 public:
  MisalignedFloats(int64_t n, int offset_floats)
      : buffer_((n + kMaxMisalignFloats + 1) * sizeof(float)), data_(buffer_.as<float>() + offset_floats), n_(n) {}
  float* data() { return data_; }
  const float* data() const { return data_; }
  float& operator[](int64_t i) { return data_[i]; }
  int64_t size() const { return n_; }
  std::vector<float> ToVector() const { return std::vector<float>(data_, data_ + n_); }

 private:
  AlignedBuffer buffer_;
  float* data_;
  int64_t n_;
};

inline void FillUniform(float* x, int64_t n, float low, float high, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  for (int64_t i = 0; i < n; ++i) x[i] = dist(rng);
}

inline std::vector<float> RandomVector(int64_t n, float low, float high, uint32_t seed) {
  std::vector<float> x(n);
  FillUniform(x.data(), n, low, high, seed);
  return x;
}

// |actual - expected| ≤ tolerance · max(1, |expected|).
inline bool CloseRelative(double actual, double expected, double tolerance) {
  const double magnitude = std::fabs(expected) > 1.0 ? std::fabs(expected) : 1.0;
  return std::fabs(actual - expected) <= tolerance * magnitude;
}

}  // namespace fab::kernels::testing
