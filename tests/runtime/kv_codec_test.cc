// KvCodec: every SIMD table (AVX2, AVX-512) equals its scalar twin bit for
// bit over every binary16 pattern, a sweep of float32 values (normal,
// subnormal, halfway, overflowing, NaN payloads), Q8_0 scales that are zero,
// subnormal, infinite or NaN, and every length / misalignment up to a few
// vectors; Q8_0 groups reconstruct within half a quantization step.
#include "runtime/kv_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch.h"

namespace fab::runtime {
namespace {

// Bit for bit, NaN payloads included: that is the contract of kv_codec.h.
bool SameFloat(float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

bool SameHalf(uint16_t a, uint16_t b) { return a == b; }

// Lengths 0..70 at offsets 0..3 elements: every tail mask and unaligned start.
template <typename Fn>
void ForEachLengthAndOffset(Fn&& fn) {
  for (int64_t offset = 0; offset < 4; ++offset) {
    for (int64_t n = 0; n <= 70; ++n) fn(offset, n);
  }
}

std::vector<float> InterestingFloats() {
  std::vector<float> values = {0.0f, -0.0f, 1.0f, -1.0f, 65504.0f, 65519.99f, 65520.0f, 1e9f, -1e9f,
                               6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f, 1e-10f,
                               INFINITY, -INFINITY, NAN, 1.00048828125f /* halfway 1 + 2^-11 */, 1.00146484375f,
                               std::bit_cast<float>(0x7F800001u) /* signalling NaN */, std::bit_cast<float>(0xFFBFFFFFu),
                               std::bit_cast<float>(0x7FC01FFFu) /* payload below the half's 10 bits */};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> exponent(-30.0f, 18.0f);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 4000; ++i) {
    const float magnitude = std::exp2(exponent(rng));
    values.push_back((i & 1) != 0 ? -magnitude : magnitude);
    values.push_back(std::bit_cast<float>(bits(rng)));  // any pattern, NaNs included
  }
  return values;
}

// One SIMD table under test: its ISA's name and its getter (null where this CPU cannot run it).
struct SimdCodec {
  const char* isa;
  const KvCodec* (*table)();
};

// Test names and ctest show the ISA, not the struct's bytes.
void PrintTo(const SimdCodec& simd, std::ostream* os) { *os << simd.isa; }

class KvCodecSimdTable : public ::testing::TestWithParam<SimdCodec> {
 protected:
  void SetUp() override {
    fast_ = GetParam().table();
    if (fast_ == nullptr) GTEST_SKIP() << "this CPU cannot run the " << GetParam().isa << " kernels";
  }
  const KvCodec* fast_ = nullptr;
  const KvCodec& scalar_ = KvCodecScalar();
};

INSTANTIATE_TEST_SUITE_P(PerIsa, KvCodecSimdTable,
                         ::testing::Values(SimdCodec{"avx2", &KvCodecAvx2}, SimdCodec{"avx512", &KvCodecAvx512}),
                         [](const ::testing::TestParamInfo<SimdCodec>& info) { return std::string(info.param.isa); });

TEST_P(KvCodecSimdTable, HalfToFloatMatchesScalarForEveryPattern) {
  std::vector<uint16_t> all(65536);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  std::vector<float> want(all.size()), got(all.size());
  scalar_.f16_to_f32(all.data(), want.data(), static_cast<int64_t>(all.size()));
  fast_->f16_to_f32(all.data(), got.data(), static_cast<int64_t>(all.size()));
  for (size_t i = 0; i < all.size(); ++i) ASSERT_TRUE(SameFloat(got[i], want[i])) << "half 0x" << std::hex << i;
}

TEST_P(KvCodecSimdTable, FloatToHalfMatchesScalar) {
  const std::vector<float> values = InterestingFloats();
  std::vector<uint16_t> want(values.size()), got(values.size());
  scalar_.f32_to_f16(values.data(), want.data(), static_cast<int64_t>(values.size()));
  fast_->f32_to_f16(values.data(), got.data(), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) ASSERT_TRUE(SameHalf(got[i], want[i])) << values[i];
}

TEST_P(KvCodecSimdTable, EveryLengthAndOffsetTouchesExactlyItsRange) {
  const std::vector<float> values = InterestingFloats();
  ForEachLengthAndOffset([&](int64_t offset, int64_t n) {
    // Filled with a signalling NaN: f16_to_f32 below reads halves [1, 1 + n), fill included unless offset is 1.
    std::vector<uint16_t> halves(80, 0xFD01), halves_want(80, 0xFD01);
    fast_->f32_to_f16(values.data() + 3, halves.data() + offset, n);
    scalar_.f32_to_f16(values.data() + 3, halves_want.data() + offset, n);
    for (size_t i = 0; i < halves.size(); ++i) ASSERT_TRUE(SameHalf(halves[i], halves_want[i])) << n << "@" << offset;
    std::vector<float> floats(80, -7.0f), floats_want(80, -7.0f);
    fast_->f16_to_f32(halves.data() + 1, floats.data() + offset, n);
    scalar_.f16_to_f32(halves.data() + 1, floats_want.data() + offset, n);
    for (size_t i = 0; i < floats.size(); ++i) ASSERT_TRUE(SameFloat(floats[i], floats_want[i])) << n << "@" << offset;
  });
}

TEST_P(KvCodecSimdTable, Q8GroupsDecodeLikeScalar) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> level(-127, 127);
  std::normal_distribution<float> scale(0.0f, 0.1f);
  for (int64_t n_groups = 0; n_groups <= 5; ++n_groups) {
    for (int64_t offset = 0; offset < 3; ++offset) {
      const int64_t n = n_groups * kQ8GroupSize;
      std::vector<int8_t> q(static_cast<size_t>(n + offset));
      std::vector<float> scales(static_cast<size_t>(n_groups + offset));
      for (int8_t& x : q) x = static_cast<int8_t>(level(rng));
      for (float& d : scales) d = std::fabs(scale(rng));
      std::vector<float> want(static_cast<size_t>(n + 2), 5.0f), got(want.size(), 5.0f);
      scalar_.q8_to_f32(q.data() + offset, scales.data() + offset, want.data() + 1, n);
      fast_->q8_to_f32(q.data() + offset, scales.data() + offset, got.data() + 1, n);
      for (size_t i = 0; i < want.size(); ++i) ASSERT_TRUE(SameFloat(got[i], want[i])) << n_groups << "@" << offset;
    }
  }
}

TEST_P(KvCodecSimdTable, Q8GroupsWithSpecialScalesDecodeLikeScalar) {
  const float scales[] = {0.0f,
                          -0.0f,
                          std::numeric_limits<float>::denorm_min(),
                          1e-40f,
                          std::numeric_limits<float>::min(),
                          std::numeric_limits<float>::max(),
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(),
                          std::bit_cast<float>(0xFFC12345u) /* negative NaN with a payload */};
  constexpr int64_t n_groups = std::size(scales);
  std::vector<int8_t> q(static_cast<size_t>(n_groups * kQ8GroupSize));
  for (size_t i = 0; i < q.size(); ++i) q[i] = static_cast<int8_t>(static_cast<int>(i % 255) - 127);  // 0 included
  std::vector<float> want(q.size()), got(q.size());
  scalar_.q8_to_f32(q.data(), scales, want.data(), n_groups * kQ8GroupSize);
  fast_->q8_to_f32(q.data(), scales, got.data(), n_groups * kQ8GroupSize);
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(SameFloat(got[i], want[i])) << "q " << int{q[i]} << " scale " << scales[i / kQ8GroupSize];
  }
}

TEST(KvCodecScalar, FloatToHalfNeverWritesASignallingNan) {
  // KV pages hold only what f32_to_f16 wrote, so quiet NaNs are all f16_to_f32 meets in use.
  std::mt19937 rng(9);
  std::uniform_int_distribution<uint32_t> mantissa(1, 0x7FFFFF);
  for (int i = 0; i < 2000; ++i) {
    const uint32_t sign = (i & 1) != 0 ? 0x80000000u : 0u;
    const float nan = std::bit_cast<float>(sign | 0x7F800000u | mantissa(rng));
    uint16_t half = 0;
    KvCodecScalar().f32_to_f16(&nan, &half, 1);
    EXPECT_EQ(half & 0x7E00, 0x7E00) << std::hex << std::bit_cast<uint32_t>(nan);  // all-ones exponent, quiet bit
  }
}

TEST(KvCodecScalar, HalfToFloatQuietsSignallingNans) {
  // As IEEE 754 conversions (and vcvtph2ps) do; the payload and sign stay.
  const uint16_t halves[] = {0x7C01, 0xFD55, 0x7E01, 0x7C00};
  float floats[4];
  KvCodecScalar().f16_to_f32(halves, floats, 4);
  EXPECT_EQ(std::bit_cast<uint32_t>(floats[0]), 0x7FC02000u);
  EXPECT_EQ(std::bit_cast<uint32_t>(floats[1]), 0xFFEAA000u);
  EXPECT_EQ(std::bit_cast<uint32_t>(floats[2]), 0x7FC02000u);
  EXPECT_EQ(std::bit_cast<uint32_t>(floats[3]), 0x7F800000u);  // infinity is no NaN
}

TEST(QuantizeQ8Groups, ReconstructsWithinHalfAStepPerGroup) {
  std::mt19937 rng(5);
  std::normal_distribution<float> value(0.0f, 3.0f);
  std::vector<float> x(4 * kQ8GroupSize);
  for (float& v : x) v = value(rng);
  for (int64_t i = 0; i < kQ8GroupSize; ++i) x[static_cast<size_t>(2 * kQ8GroupSize + i)] = 0.0f;  // all-zero group
  x[5] = 40.0f;                                                                                   // an outlier
  std::vector<int8_t> q(x.size());
  std::vector<float> scales(4), decoded(x.size());
  QuantizeQ8Groups(x.data(), q.data(), scales.data(), static_cast<int64_t>(x.size()));
  KvCodecScalar().q8_to_f32(q.data(), scales.data(), decoded.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const float d = scales[i / kQ8GroupSize];
    EXPECT_GE(q[i], -127);
    EXPECT_LE(std::fabs(decoded[i] - x[i]), 0.5f * d * (1.0f + 1e-6f)) << i;
  }
  EXPECT_FLOAT_EQ(scales[0], 40.0f / 127.0f);
  EXPECT_EQ(q[5], 127);
  EXPECT_EQ(scales[2], 0.0f);
  for (int64_t i = 0; i < kQ8GroupSize; ++i) EXPECT_EQ(decoded[static_cast<size_t>(2 * kQ8GroupSize + i)], 0.0f);
}

TEST(ActiveKvCodec, IsTheTableOfTheIsaTheKernelsRun) {
  switch (kernels::ActiveKernels().isa) {
    case kernels::Isa::kAvx512: EXPECT_EQ(&ActiveKvCodec(), KvCodecAvx512()); break;
    case kernels::Isa::kAvx2: EXPECT_EQ(&ActiveKvCodec(), KvCodecAvx2()); break;
    case kernels::Isa::kScalar: EXPECT_EQ(&ActiveKvCodec(), &KvCodecScalar()); break;
  }
}

}  // namespace
}  // namespace fab::runtime
