// Tests of quantize.h: exact fp16/bf16 conversions, ggml block layouts decoded
// from hand-made bytes, reference-quantizer bytes, and round-trip error bounds.
#include "kernels/quantize.h"

#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "platform/cpu_features.h"

namespace fab::kernels {
namespace {

std::vector<float> RandomNormal(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(n);
  for (float& v : values) v = normal(rng);
  return values;
}

std::vector<uint8_t> Quantize(DType dtype, const std::vector<float>& x) {
  std::vector<uint8_t> bytes(RowBytes(dtype, static_cast<int64_t>(x.size())).value());
  QuantizeRow(dtype, x.data(), bytes.data(), static_cast<int64_t>(x.size()));
  return bytes;
}

std::vector<float> Dequantize(DType dtype, const std::vector<uint8_t>& bytes, int64_t n) {
  std::vector<float> out(n);
  DequantizeRow(dtype, bytes.data(), out.data(), n);
  return out;
}

float Bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

TEST(Fp16, ConvertsKnownValuesWithRoundToNearestEven) {
  EXPECT_EQ(Fp32ToFp16(1.0f), 0x3C00);
  EXPECT_EQ(Fp32ToFp16(-2.0f), 0xC000);
  EXPECT_EQ(Fp32ToFp16(65504.0f), 0x7BFF);
  EXPECT_EQ(Fp32ToFp16(65519.0f), 0x7BFF);
  EXPECT_EQ(Fp32ToFp16(65520.0f), 0x7C00);               // rounds up to infinity
  EXPECT_EQ(Fp32ToFp16(1.0f + 0x1p-11f), 0x3C00);        // tie → even
  EXPECT_EQ(Fp32ToFp16(1.0f + 3 * 0x1p-11f), 0x3C02);    // tie → even (up)
  EXPECT_EQ(Fp32ToFp16(0x1p-24f), 0x0001);               // smallest subnormal
  EXPECT_EQ(Fp32ToFp16(0x1p-25f), 0x0000);               // tie → even (zero)
  EXPECT_EQ(Fp32ToFp16(1.5f * 0x1p-25f), 0x0001);
  EXPECT_EQ(Fp32ToFp16(-0.0f), 0x8000);
  EXPECT_EQ(Fp32ToFp16(INFINITY), 0x7C00);
  EXPECT_TRUE(std::isnan(Fp16ToFp32(Fp32ToFp16(NAN))));
  EXPECT_EQ(Fp16ToFp32(0x0001), 0x1p-24f);
  EXPECT_EQ(Fp16ToFp32(0x3555), 0.333251953125f);
}

TEST(Fp16, EveryHalfRoundTripsExactly) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const bool is_nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
    if (is_nan) continue;
    ASSERT_EQ(Fp32ToFp16(Fp16ToFp32(static_cast<uint16_t>(h))), h) << std::hex << h;
  }
}

__attribute__((target("f16c"))) uint16_t HardwareFp16(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

TEST(Fp16, MatchesF16cOnRandomFloats) {
  if (!GetCpuFeatures().f16c) GTEST_SKIP() << "CPU has no F16C";
  std::mt19937 rng(7);
  for (int i = 0; i < 2000000; ++i) {
    const float f = Bits(rng());
    if (std::isnan(f)) continue;
    ASSERT_EQ(Fp32ToFp16(f), HardwareFp16(f)) << f;
  }
}

TEST(Bf16, RoundsToNearestEven) {
  EXPECT_EQ(Fp32ToBf16(1.0f), 0x3F80);
  EXPECT_EQ(Fp32ToBf16(Bits(0x3F808000)), 0x3F80);  // tie → even (down)
  EXPECT_EQ(Fp32ToBf16(Bits(0x3F818000)), 0x3F82);  // tie → even (up)
  EXPECT_EQ(Fp32ToBf16(Bits(0x3F808001)), 0x3F81);
  EXPECT_EQ(Bf16ToFp32(0xC000), -2.0f);
  EXPECT_TRUE(std::isnan(Bf16ToFp32(Fp32ToBf16(NAN))));
}

TEST(DequantizeRow, DecodesKnownQ8_0Bytes) {
  uint8_t block[34] = {0x00, 0x38};  // d = 0.5
  for (int j = 0; j < 32; ++j) block[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(j - 16));
  float out[32];
  DequantizeRow(DType::kQ8_0, block, out, 32);
  for (int j = 0; j < 32; ++j) EXPECT_EQ(out[j], 0.5f * (j - 16)) << j;
}

TEST(DequantizeRow, DecodesKnownQ4_0BytesLowNibblesFirst) {
  uint8_t block[18] = {0x00, 0x40};  // d = 2
  for (int j = 0; j < 16; ++j) block[2 + j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  float out[32];
  DequantizeRow(DType::kQ4_0, block, out, 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(out[j], 2.0f * (j - 8)) << j;
    EXPECT_EQ(out[16 + j], 2.0f * (15 - j - 8)) << j;
  }
}

TEST(DequantizeRow, DecodesQ5_0HighBitsFromQh) {
  uint8_t block[22] = {0x00, 0x3C, 0x01, 0x00, 0x01, 0x00};  // d = 1; qh bits 0 and 16
  block[6] = 0x32;                                           // element 0: 2, element 16: 3
  float out[32];
  DequantizeRow(DType::kQ5_0, block, out, 32);
  EXPECT_EQ(out[0], (2 + 16) - 16);
  EXPECT_EQ(out[16], (3 + 16) - 16);
  EXPECT_EQ(out[1], -16.0f);
}

TEST(DequantizeRow, DecodesQ4_KSixBitScalesAndMins) {
  uint8_t block[144] = {0x00, 0x3C, 0x00, 0x38};  // d = 1, dmin = 0.5
  uint8_t* scales = block + 4;
  scales[1] = 5;                                           // sub-block 1 scale
  scales[5] = 7;                                           // sub-block 1 min
  scales[6 + 4] = (37 & 0xF) | ((50 & 0xF) << 4);          // sub-block 6: scale 37, min 50
  scales[6 - 4] |= (37 >> 4) << 6;
  scales[6] |= (50 >> 4) << 6;
  uint8_t* qs = block + 16;
  qs[0] = 0x30;        // element 32 (sub-block 1, high nibble of chunk 0) = 3
  qs[96 + 4] = 0x09;   // element 192 + 4 (sub-block 6, low nibble of chunk 3) = 9
  float out[256];
  DequantizeRow(DType::kQ4_K, block, out, 256);
  EXPECT_EQ(out[32], 5.0f * 3 - 0.5f * 7);
  EXPECT_EQ(out[196], 37.0f * 9 - 0.5f * 50);
  EXPECT_EQ(out[197], -0.5f * 50);
}

TEST(DequantizeRow, DecodesQ6_KSplitLowAndHighBits) {
  uint8_t block[210] = {};
  block[208] = 0x00;
  block[209] = 0x3C;  // d = 1
  auto* scales = reinterpret_cast<int8_t*>(block + 192);
  for (int s = 0; s < 16; ++s) scales[s] = static_cast<int8_t>(s - 8);
  // Element 64 + 3: ql[3] high nibble, qh[3] bits 4-5; sub-block 4.
  block[3] = 0xA0;
  block[128 + 3] = 0x30;
  // Element 128 + 32 + 5: ql[64 + 32 + 5] low nibble, qh[32 + 5] bits 2-3; sub-block 10.
  block[101] = 0x07;
  block[128 + 37] = 0x04;
  float out[256];
  DequantizeRow(DType::kQ6_K, block, out, 256);
  EXPECT_EQ(out[67], (4 - 8) * static_cast<float>((0xA | (3 << 4)) - 32));
  EXPECT_EQ(out[165], (10 - 8) * static_cast<float>((7 | (1 << 4)) - 32));
  EXPECT_EQ(out[0], (0 - 8) * -32.0f);
}

TEST(QuantizeRow, Q8_0RoundsHalfAwayFromZeroLikeGgml) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;
  x[1] = 63.5f;
  x[2] = -0.5f;
  x[3] = 2.5f;
  const std::vector<uint8_t> bytes = Quantize(DType::kQ8_0, x);
  EXPECT_EQ(bytes[0], 0x00);
  EXPECT_EQ(bytes[1], 0x3C);  // d = 1
  EXPECT_EQ(static_cast<int8_t>(bytes[2]), 127);
  EXPECT_EQ(static_cast<int8_t>(bytes[3]), 64);
  EXPECT_EQ(static_cast<int8_t>(bytes[4]), -1);
  EXPECT_EQ(static_cast<int8_t>(bytes[5]), 3);
}

TEST(QuantizeRow, Q4_0MatchesGgmlReferenceBytes) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j - 16);  // max |x| at -16: d = 2
  const std::vector<uint8_t> bytes = Quantize(DType::kQ4_0, x);
  EXPECT_EQ(bytes[0], 0x00);
  EXPECT_EQ(bytes[1], 0x40);
  EXPECT_EQ(bytes[2], 0x80);   // element 0 → 0, element 16 → 8
  EXPECT_EQ(bytes[3], 0x91);   // element 1 → 1, element 17 → 9
  EXPECT_EQ(bytes[17], 0xF8);  // element 15 → 8, element 31 → min(15, 16)
}

struct RoundTripCase {
  DType dtype;
  double max_relative_rms;  // of dequant(quant(x)) - x over rms(x), x ~ N(0, 1)
};

class QuantizeRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(QuantizeRoundTrip, StaysWithinErrorBound) {
  const RoundTripCase& c = GetParam();
  constexpr int64_t kN = 4096;
  const std::vector<float> x = RandomNormal(kN, 11);
  const std::vector<float> y = Dequantize(c.dtype, Quantize(c.dtype, x), kN);
  double err = 0.0, ref = 0.0;
  for (int64_t i = 0; i < kN; ++i) {
    err += (y[i] - x[i]) * static_cast<double>(y[i] - x[i]);
    ref += x[i] * static_cast<double>(x[i]);
  }
  const double relative_rms = std::sqrt(err / ref);
  EXPECT_LT(relative_rms, c.max_relative_rms) << DTypeName(c.dtype);
  EXPECT_GT(relative_rms, c.max_relative_rms / 20) << "suspiciously exact for " << DTypeName(c.dtype);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, QuantizeRoundTrip,
                         ::testing::Values(RoundTripCase{DType::kF16, 1e-3}, RoundTripCase{DType::kBF16, 5e-3},
                                           RoundTripCase{DType::kQ8_0, 0.01}, RoundTripCase{DType::kQ4_0, 0.12},
                                           RoundTripCase{DType::kQ4_1, 0.12}, RoundTripCase{DType::kQ5_0, 0.06},
                                           RoundTripCase{DType::kQ4_K, 0.12}, RoundTripCase{DType::kQ5_K, 0.06},
                                           RoundTripCase{DType::kQ6_K, 0.035}),
                         [](const auto& info) { return std::string(DTypeName(info.param.dtype)); });

TEST(QuantizeRow, ZeroRowsDecodeToZeros) {
  for (DType dtype : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ4_K, DType::kQ5_K,
                      DType::kQ6_K}) {
    const std::vector<float> zeros(256, 0.0f);
    for (float v : Dequantize(dtype, Quantize(dtype, zeros), 256)) ASSERT_EQ(v, 0.0f) << DTypeName(dtype);
  }
}

}  // namespace
}  // namespace fab::kernels
