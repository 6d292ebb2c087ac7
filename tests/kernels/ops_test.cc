// Float32 ops of ops.h and the FloatOps kernels under them: every vector ISA
// against its scalar twin over a size and misalignment sweep, and the scalar
// twins against straightforward double-precision formulas.
#include "kernels/ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "float_ops_test_util.h"

namespace fab::kernels {
namespace {

using testing::CloseRelative;
using testing::FillUniform;
using testing::kMaxMisalignFloats;
using testing::MisalignedFloats;
using testing::RandomVector;
using testing::ScalarTable;
using testing::SweepSizes;
using testing::VectorTables;

// Vector variant vs scalar twin (relative to max(1, |expected|) unless noted).
constexpr double kRmsNormTolerance = 1e-5;
constexpr double kSoftmaxRelativeTolerance = 1e-5;  // per probability, relative
constexpr double kSwiGluRelativeTolerance = 1e-5;
constexpr double kSwiGluAbsoluteTolerance = 1e-30;  // saturated tails are ±0 vs ±1e-37
constexpr double kDotTolerance = 1e-5;              // relative to Σ|a·b|
constexpr double kRopeKernelTolerance = 1e-6;
// Accuracy of the vector exp itself, relative (the requirement is ~1e-6).
constexpr double kExpRelativeTolerance = 1e-6;
// Scalar twin vs double formula.
constexpr double kScalarVsDoubleTolerance = 1e-6;
// RoPE angles follow ggml's float recurrence: relative angle error grows by
// about one ulp per pair, so allow 2e-5 of the angle plus rounding of cos/sin.
constexpr double kRopeAngleRelativeTolerance = 2e-5;
constexpr double kSoftmaxSumTolerance = 1e-5;

// Element i of actual within relative·|expected| + absolute of expected.
::testing::AssertionResult AllWithin(const float* actual, const float* expected, int64_t n, double relative,
                                     double absolute) {
  for (int64_t i = 0; i < n; ++i) {
    const double diff = std::fabs(static_cast<double>(actual[i]) - expected[i]);
    if (!(diff <= relative * std::fabs(expected[i]) + absolute)) {
      return ::testing::AssertionFailure()
             << "element " << i << " of " << n << ": " << actual[i] << " vs " << expected[i];
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult AllClose(const float* actual, const float* expected, int64_t n, double tolerance) {
  for (int64_t i = 0; i < n; ++i) {
    if (!CloseRelative(actual[i], expected[i], tolerance)) {
      return ::testing::AssertionFailure()
             << "element " << i << " of " << n << ": " << actual[i] << " vs " << expected[i];
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(RmsNorm, MatchesScalarTwinOnEveryIsa) {
  for (const KernelTable* table : VectorTables()) {
    for (int64_t n : SweepSizes()) {
      for (int offset = 0; offset <= kMaxMisalignFloats; ++offset) {
        MisalignedFloats x(n, offset), weight(n, (offset * 7) % 16), out(n, (offset * 3 + 1) % 16);
        FillUniform(x.data(), n, -2.0f, 2.0f, static_cast<uint32_t>(n * 16 + offset));
        FillUniform(weight.data(), n, -1.5f, 1.5f, static_cast<uint32_t>(n + 99));
        std::vector<float> expected(n);
        RmsNorm(ScalarTable(), x.data(), weight.data(), n, 1e-5f, expected.data());
        RmsNorm(*table, x.data(), weight.data(), n, 1e-5f, out.data());
        ASSERT_TRUE(AllClose(out.data(), expected.data(), n, kRmsNormTolerance))
            << IsaName(table->isa) << " n=" << n << " offset=" << offset;
      }
    }
  }
}

TEST(RmsNorm, ScalarTwinMatchesDoubleFormula) {
  const int64_t n = 1001;
  const float eps = 1e-6f;
  std::vector<float> x = RandomVector(n, -3.0f, 3.0f, 1), weight = RandomVector(n, -1.0f, 1.0f, 2), out(n);
  RmsNorm(ScalarTable(), x.data(), weight.data(), n, eps, out.data());
  double sum_squares = 0.0;
  for (float value : x) sum_squares += static_cast<double>(value) * value;
  const double inverse_rms = 1.0 / std::sqrt(sum_squares / n + eps);
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_TRUE(CloseRelative(out[i], x[i] * inverse_rms * weight[i], kScalarVsDoubleTolerance)) << i;
  }
}

TEST(RmsNorm, TreatsNullWeightAsOnesAndMayRunInPlace) {
  for (const KernelTable* table : {&ScalarTable(), KernelsFor(Isa::kAvx2), KernelsFor(Isa::kAvx512)}) {
    if (table == nullptr) continue;
    std::vector<float> x = {3.0f, -4.0f, 0.0f, 0.0f, 0.0f};  // rms = sqrt(25 / 5) = sqrt(5)
    RmsNorm(*table, x.data(), nullptr, 5, 0.0f, x.data());
    EXPECT_NEAR(x[0], 3.0 / std::sqrt(5.0), kScalarVsDoubleTolerance) << IsaName(table->isa);
    EXPECT_NEAR(x[1], -4.0 / std::sqrt(5.0), kScalarVsDoubleTolerance) << IsaName(table->isa);
    EXPECT_EQ(x[2], 0.0f);
  }
}

TEST(Softmax, MatchesScalarTwinOnEveryIsa) {
  for (const KernelTable* table : VectorTables()) {
    for (int64_t n : SweepSizes()) {
      for (int offset = 0; offset <= kMaxMisalignFloats; ++offset) {
        MisalignedFloats x(n, offset);
        FillUniform(x.data(), n, -12.0f, 12.0f, static_cast<uint32_t>(n * 16 + offset));
        std::vector<float> expected = x.ToVector();
        SoftmaxInplace(ScalarTable(), expected.data(), n);
        SoftmaxInplace(*table, x.data(), n);
        ASSERT_TRUE(AllWithin(x.data(), expected.data(), n, kSoftmaxRelativeTolerance, 1e-37))
            << IsaName(table->isa) << " n=" << n << " offset=" << offset;
      }
    }
  }
}

TEST(Softmax, ScalarTwinMatchesDoubleFormula) {
  std::vector<float> x = RandomVector(300, -20.0f, 20.0f, 3);
  std::vector<double> expected(x.size());
  float max = -1e30f;
  double sum = 0.0;
  for (float value : x) max = value > max ? value : max;
  // x - max is rounded to float as in the twin (an error of up to 2e-6 at -37).
  for (size_t i = 0; i < x.size(); ++i) sum += expected[i] = std::exp(static_cast<double>(x[i] - max));
  SoftmaxInplace(ScalarTable(), x.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_NEAR(x[i], expected[i] / sum, kScalarVsDoubleTolerance * expected[i] / sum + 1e-38) << i;
  }
}

TEST(Softmax, SumsToOneOnEveryIsa) {
  for (const KernelTable* table : {&ScalarTable(), KernelsFor(Isa::kAvx2), KernelsFor(Isa::kAvx512)}) {
    if (table == nullptr) continue;
    for (int64_t n : {1, 7, 33, 2048, 4099}) {
      std::vector<float> x = RandomVector(n, -30.0f, 30.0f, static_cast<uint32_t>(n));
      SoftmaxInplace(*table, x.data(), n);
      double sum = 0.0;
      for (float p : x) {
        ASSERT_GE(p, 0.0f);
        sum += p;
      }
      EXPECT_NEAR(sum, 1.0, kSoftmaxSumTolerance) << IsaName(table->isa) << " n=" << n;
    }
  }
}

TEST(Softmax, GivesNegativeInfinityZeroAndLargeValuesNoNaN) {
  const float inf = std::numeric_limits<float>::infinity();
  for (const KernelTable* table : {&ScalarTable(), KernelsFor(Isa::kAvx2), KernelsFor(Isa::kAvx512)}) {
    if (table == nullptr) continue;
    // 19 entries: a full vector plus a tail on both ISAs.
    std::vector<float> x = {-inf, 1e30f,   -inf, 1e30f, -1e30f, 88.0f, 0.0f,  -inf, 3e38f, -3e38f,
                            -inf, 1000.0f, -inf, 5.0f,  -inf,   -inf,  1e30f, -inf, -inf};
    SoftmaxInplace(*table, x.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) ASSERT_FALSE(std::isnan(x[i])) << IsaName(table->isa) << " " << i;
    EXPECT_EQ(x[0], 0.0f);
    EXPECT_EQ(x[1], 0.0f);  // 1e30 is nothing next to 3e38
    EXPECT_NEAR(x[8], 1.0f, kSoftmaxSumTolerance) << IsaName(table->isa);

    std::vector<float> mixed = {-inf, 2.0f, -inf, 2.0f};
    SoftmaxInplace(*table, mixed.data(), 4);
    EXPECT_EQ(mixed[0], 0.0f);
    EXPECT_NEAR(mixed[1], 0.5f, kSoftmaxSumTolerance);
    EXPECT_NEAR(mixed[3], 0.5f, kSoftmaxSumTolerance);

    std::vector<float> all_masked(21, -inf);
    SoftmaxInplace(*table, all_masked.data(), 21);
    for (float p : all_masked) ASSERT_EQ(p, 0.0f) << IsaName(table->isa);
  }
}

TEST(SwiGlu, MatchesScalarTwinOnEveryIsa) {
  for (const KernelTable* table : VectorTables()) {
    for (int64_t n : SweepSizes()) {
      for (int offset = 0; offset <= kMaxMisalignFloats; ++offset) {
        MisalignedFloats gate(n, offset), up(n, (offset * 5 + 3) % 16), out(n, (offset * 11) % 16);
        // Wide enough to reach both saturated tails of exp.
        FillUniform(gate.data(), n, -100.0f, 100.0f, static_cast<uint32_t>(n * 16 + offset));
        FillUniform(up.data(), n, -3.0f, 3.0f, static_cast<uint32_t>(n + 5));
        std::vector<float> expected(n);
        SwiGlu(ScalarTable(), gate.data(), up.data(), n, expected.data());
        SwiGlu(*table, gate.data(), up.data(), n, out.data());
        ASSERT_TRUE(AllWithin(out.data(), expected.data(), n, kSwiGluRelativeTolerance, kSwiGluAbsoluteTolerance))
            << IsaName(table->isa) << " n=" << n << " offset=" << offset;
      }
    }
  }
}

TEST(SwiGlu, ScalarTwinMatchesDoubleFormulaAndMayRunInPlace) {
  std::vector<float> gate = RandomVector(257, -10.0f, 10.0f, 4), up = RandomVector(257, -2.0f, 2.0f, 5);
  std::vector<float> original_gate = gate;
  SwiGlu(ScalarTable(), gate.data(), up.data(), 257, gate.data());
  for (int i = 0; i < 257; ++i) {
    const double g = original_gate[i];
    ASSERT_TRUE(CloseRelative(gate[i], g / (1.0 + std::exp(-g)) * up[i], kScalarVsDoubleTolerance)) << i;
  }
}

TEST(GeGlu, MatchesScalarTwinOnEveryIsa) {
  for (const KernelTable* table : VectorTables()) {
    for (int64_t n : SweepSizes()) {
      for (int offset = 0; offset <= kMaxMisalignFloats; ++offset) {
        MisalignedFloats gate(n, offset), up(n, (offset * 5 + 3) % 16), out(n, (offset * 11) % 16);
        FillUniform(gate.data(), n, -30.0f, 30.0f, static_cast<uint32_t>(n * 16 + offset + 7));
        FillUniform(up.data(), n, -3.0f, 3.0f, static_cast<uint32_t>(n + 9));
        std::vector<float> expected(n);
        GeGlu(ScalarTable(), gate.data(), up.data(), n, expected.data());
        GeGlu(*table, gate.data(), up.data(), n, out.data());
        ASSERT_TRUE(AllWithin(out.data(), expected.data(), n, kSwiGluRelativeTolerance, kSwiGluAbsoluteTolerance))
            << IsaName(table->isa) << " n=" << n << " offset=" << offset;
      }
    }
  }
}

// ggml's GELU: 0.5·g·(1 + tanh(sqrt(2/π)·g·(1 + 0.044715·g²))), in double.
TEST(GeGlu, ScalarTwinMatchesGgmlsTanhFormulaAndMayRunInPlace) {
  std::vector<float> gate = RandomVector(257, -8.0f, 8.0f, 14), up = RandomVector(257, -2.0f, 2.0f, 15);
  std::vector<float> original_gate = gate;
  GeGlu(ScalarTable(), gate.data(), up.data(), 257, gate.data());
  for (int i = 0; i < 257; ++i) {
    const double g = original_gate[i];
    const double gelu = 0.5 * g * (1.0 + std::tanh(0.7978845608028654 * g * (1.0 + 0.044715 * g * g)));
    ASSERT_NEAR(gate[i], gelu * up[i], 1e-5 * (1.0 + std::fabs(gelu * up[i]))) << i;
  }
}

TEST(FloatOps, VectorExpIsAccurateAcrossTheFloatRange) {
  const int64_t n = 20000;
  std::vector<float> inputs(n);
  for (int64_t i = 0; i < n; ++i) inputs[i] = -87.0f + 175.0f * static_cast<float>(i) / static_cast<float>(n - 1);
  for (const KernelTable* table : VectorTables()) {
    std::vector<float> values = inputs;
    table->floats.exp_shifted_sum(values.data(), n, 0.0f);
    double worst = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double expected = std::exp(static_cast<double>(inputs[i]));
      const double relative = std::fabs(values[i] - expected) / expected;
      worst = relative > worst ? relative : worst;
    }
    EXPECT_LE(worst, kExpRelativeTolerance) << IsaName(table->isa);
  }
}

TEST(FloatOps, VectorExpOfVeryNegativeInputIsZero) {
  const float inf = std::numeric_limits<float>::infinity();
  for (const KernelTable* table : VectorTables()) {
    std::vector<float> values = {-inf, -1000.0f, -88.0f, 0.0f};
    const float sum = table->floats.exp_shifted_sum(values.data(), 4, 0.0f);
    EXPECT_EQ(values[0], 0.0f);
    EXPECT_EQ(values[1], 0.0f);
    EXPECT_EQ(values[2], 0.0f);
    EXPECT_EQ(values[3], 1.0f);
    EXPECT_EQ(sum, 1.0f);
  }
}

TEST(FloatOps, DotAndMaxMatchScalarTwinOnEveryIsa) {
  for (const KernelTable* table : VectorTables()) {
    for (int64_t n : SweepSizes()) {
      for (int offset = 0; offset <= kMaxMisalignFloats; offset += 3) {
        MisalignedFloats a(n, offset), b(n, (offset + 5) % 16);
        FillUniform(a.data(), n, -1.0f, 1.0f, static_cast<uint32_t>(n * 16 + offset));
        FillUniform(b.data(), n, -1.0f, 1.0f, static_cast<uint32_t>(n + 7));
        double magnitude = 0.0;
        for (int64_t i = 0; i < n; ++i) magnitude += std::fabs(a[i] * b[i]);
        const float expected = ScalarTable().floats.dot(a.data(), b.data(), n);
        ASSERT_NEAR(table->floats.dot(a.data(), b.data(), n), expected, kDotTolerance * magnitude + 1e-30)
            << IsaName(table->isa) << " n=" << n;
        a[n - 1] = -5.0f;  // the max may sit in the tail
        ASSERT_EQ(table->floats.max(a.data(), n), ScalarTable().floats.max(a.data(), n)) << n;
        a[n / 2] = 7.0f;
        ASSERT_EQ(table->floats.max(a.data(), n), 7.0f) << IsaName(table->isa) << " n=" << n;
      }
    }
  }
}

TEST(RopeKernels, MatchScalarTwinOnEveryIsa) {
  for (const KernelTable* table : VectorTables()) {
    for (int64_t size : SweepSizes()) {
      const int n_rot = static_cast<int>(size / 2 * 2);
      if (n_rot == 0) continue;
      for (int offset = 0; offset <= kMaxMisalignFloats; offset += 5) {
        MisalignedFloats x(n_rot, offset), cos(n_rot, (offset + 1) % 16), sin(n_rot, (offset + 2) % 16);
        FillUniform(x.data(), n_rot, -2.0f, 2.0f, static_cast<uint32_t>(size));
        FillUniform(cos.data(), n_rot, -1.0f, 1.0f, static_cast<uint32_t>(size + 1));
        FillUniform(sin.data(), n_rot, -1.0f, 1.0f, static_cast<uint32_t>(size + 2));
        std::vector<float> pairs_expected = x.ToVector(), halves_expected = x.ToVector();
        ScalarTable().floats.rope_adjacent_pairs(pairs_expected.data(), cos.data(), sin.data(), n_rot);
        ScalarTable().floats.rope_halves(halves_expected.data(), cos.data(), sin.data(), n_rot);
        MisalignedFloats y(n_rot, offset);
        for (int i = 0; i < n_rot; ++i) y[i] = x[i];
        table->floats.rope_adjacent_pairs(x.data(), cos.data(), sin.data(), n_rot);
        table->floats.rope_halves(y.data(), cos.data(), sin.data(), n_rot);
        ASSERT_TRUE(AllClose(x.data(), pairs_expected.data(), n_rot, kRopeKernelTolerance))
            << "pairs " << IsaName(table->isa) << " n_rot=" << n_rot << " offset=" << offset;
        ASSERT_TRUE(AllClose(y.data(), halves_expected.data(), n_rot, kRopeKernelTolerance))
            << "halves " << IsaName(table->isa) << " n_rot=" << n_rot << " offset=" << offset;
      }
    }
  }
}

TEST(Rope, AnglesMatchDoubleFormula) {
  const std::vector<float> factors = RandomVector(64, 1.0f, 8.0f, 6);
  for (int n_rot : {2, 64, 128}) {
    RopeParams params{.head_dim = 128, .n_rot = n_rot, .freq_base = 500000.0f, .freq_scale = 0.25f};
    params.freq_factors = n_rot == 128 ? factors.data() : nullptr;
    for (int32_t position : {0, 1, 17, 100}) {
      std::vector<float> cos(n_rot / 2), sin(n_rot / 2);
      RopeCosSin(params, position, cos.data(), sin.data());
      for (int i = 0; i < n_rot / 2; ++i) {
        const double factor = params.freq_factors != nullptr ? factors[i] : 1.0;
        const double theta = position * 0.25 * std::pow(500000.0, -2.0 * i / n_rot) / factor;
        const double tolerance = kRopeAngleRelativeTolerance * theta + kScalarVsDoubleTolerance;
        ASSERT_NEAR(cos[i], std::cos(theta), tolerance) << "n_rot " << n_rot << " pos " << position << " pair " << i;
        ASSERT_NEAR(sin[i], std::sin(theta), tolerance) << "n_rot " << n_rot << " pos " << position << " pair " << i;
      }
    }
  }
}

// Rotating [1, 0] pairs at position 3 with base 10000 over 8 dims uses the
// angles 3 · 10000^(-2i/8) = {3, 0.3, 0.03, 0.003}.
TEST(Rope, RotatesUnitPairsByPositionTimesTheta) {
  const double angles[4] = {3.0, 0.3, 0.03, 0.003};
  const int32_t position = 3;
  for (const KernelTable* table : {&ScalarTable(), KernelsFor(Isa::kAvx2), KernelsFor(Isa::kAvx512)}) {
    if (table == nullptr) continue;
    std::vector<float> x = {1, 0, 1, 0, 1, 0, 1, 0};
    RopeParams params{.head_dim = 8, .n_rot = 8, .freq_base = 10000.0f};
    RopeInplace(*table, x.data(), 1, 1, &position, params);
    for (int i = 0; i < 4; ++i) {
      EXPECT_NEAR(x[2 * i], std::cos(angles[i]), kScalarVsDoubleTolerance) << IsaName(table->isa) << " " << i;
      EXPECT_NEAR(x[2 * i + 1], std::sin(angles[i]), kScalarVsDoubleTolerance) << IsaName(table->isa) << " " << i;
    }
  }
}

TEST(Rope, NeoxPairsHalvesWhereNormalPairsNeighbours) {
  const int32_t position = 3;
  for (RopeStyle style : {RopeStyle::kNormal, RopeStyle::kNeox}) {
    // Unit vector on dim 1: normal pairs it with dim 0 (pair 0, angle 3);
    // neox pairs it with dim 5 (pair 1, angle 0.3).
    std::vector<float> x = {0, 1, 0, 0, 0, 0, 0, 0};
    RopeParams params{.head_dim = 8, .n_rot = 8, .freq_base = 10000.0f, .style = style};
    RopeInplace(ScalarTable(), x.data(), 1, 1, &position, params);
    std::vector<float> expected(8, 0.0f);
    if (style == RopeStyle::kNormal) {
      expected[0] = static_cast<float>(-std::sin(3.0));
      expected[1] = static_cast<float>(std::cos(3.0));
    } else {
      expected[1] = static_cast<float>(std::cos(0.3));
      expected[5] = static_cast<float>(std::sin(0.3));
    }
    EXPECT_TRUE(AllClose(x.data(), expected.data(), 8, kScalarVsDoubleTolerance))
        << (style == RopeStyle::kNeox ? "neox" : "normal");
  }
}

TEST(Rope, FreqFactorsAndFreqScaleDivideTheAngle) {
  const float factors[4] = {1.0f, 2.0f, 4.0f, 8.0f};
  const double angles[4] = {3.0 / 2, 0.3 / 4, 0.03 / 8, 0.003 / 16};  // freq_scale 0.5 halves each
  const int32_t position = 3;
  std::vector<float> x = {1, 0, 1, 0, 1, 0, 1, 0};
  RopeParams params{.head_dim = 8, .n_rot = 8, .freq_base = 10000.0f, .freq_scale = 0.5f, .freq_factors = factors};
  RopeInplace(ScalarTable(), x.data(), 1, 1, &position, params);
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(x[2 * i], std::cos(angles[i]), kScalarVsDoubleTolerance) << i;
    EXPECT_NEAR(x[2 * i + 1], std::sin(angles[i]), kScalarVsDoubleTolerance) << i;
  }
}

TEST(Rope, LeavesDimsBeyondNRotUntouched) {
  const int32_t positions[2] = {5, 9};
  for (RopeStyle style : {RopeStyle::kNormal, RopeStyle::kNeox}) {
    std::vector<float> x = RandomVector(2 * 3 * 10, -1.0f, 1.0f, 8);  // [2 tokens, 3 heads, 10]
    const std::vector<float> original = x;
    RopeParams params{.head_dim = 10, .n_rot = 4, .style = style};
    RopeInplace(ScalarTable(), x.data(), 2, 3, positions, params);
    for (int row = 0; row < 6; ++row) {
      for (int d = 4; d < 10; ++d) ASSERT_EQ(x[row * 10 + d], original[row * 10 + d]) << row << " " << d;
      ASSERT_NE(x[row * 10 + 1], original[row * 10 + 1]) << row;
    }
  }
}

TEST(Rope, MatchesScalarTwinOnEveryIsa) {
  const int32_t positions[3] = {0, 7, 1000};
  const std::vector<float> factors = RandomVector(64, 1.0f, 4.0f, 9);
  for (const KernelTable* table : VectorTables()) {
    for (RopeStyle style : {RopeStyle::kNormal, RopeStyle::kNeox}) {
      for (auto [head_dim, n_rot] : {std::pair{64, 64}, {128, 128}, {80, 80}, {128, 64}, {96, 34}, {6, 6}}) {
        RopeParams params{.head_dim = head_dim, .n_rot = n_rot, .freq_base = 10000.0f, .style = style};
        params.freq_factors = head_dim == 128 ? factors.data() : nullptr;
        const int64_t n = 3 * 5 * head_dim;
        MisalignedFloats x(n, head_dim % 16 + 1);
        FillUniform(x.data(), n, -2.0f, 2.0f, static_cast<uint32_t>(head_dim + n_rot));
        std::vector<float> expected = x.ToVector();
        RopeInplace(ScalarTable(), expected.data(), 3, 5, positions, params);
        RopeInplace(*table, x.data(), 3, 5, positions, params);
        ASSERT_TRUE(AllClose(x.data(), expected.data(), n, kRopeKernelTolerance))
            << IsaName(table->isa) << " head_dim=" << head_dim << " n_rot=" << n_rot;
      }
    }
  }
}

}  // namespace
}  // namespace fab::kernels
