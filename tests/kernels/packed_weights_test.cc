// Packed q4_0x16 / q8_0x16 layouts (packed_weights.h): packing round-trips to
// the file bytes, which matrices pack, and that MatMul over packed weights
// equals MatMul over the file layout on every kernel table at token counts
// around the tile size and odd/even panel counts.
#include "kernels/packed_weights.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/aligned_buffer.h"
#include "kernels/matmul.h"
#include "kernels/quantize.h"

namespace fab::kernels {
namespace {

// max over outputs of |packed - file| / sqrt(Σ_k (w_k x_k)²) on the same
// table: both paths quantize x identically and compute exact integer block
// sums; only the float accumulation order differs.
constexpr double kPackedVsFileTolerance = 1e-5;

struct Matrix {
  DType dtype;
  int64_t n_in;
  int64_t n_out;
  std::vector<uint8_t> bytes;
  std::vector<float> dequantized;  // [n_out, n_in]

  TensorView View() const {
    TensorView view;
    view.dtype = dtype;
    view.ne[0] = n_in;
    view.ne[1] = n_out;
    view.data = bytes.data();
    return view;
  }
};

Matrix RandomMatrix(DType dtype, int64_t n_in, int64_t n_out, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  Matrix m{dtype, n_in, n_out, std::vector<uint8_t>(RowBytes(dtype, n_in).value() * n_out),
           std::vector<float>(n_in * n_out)};
  const int64_t row_bytes = RowBytes(dtype, n_in).value();
  std::vector<float> row(n_in);
  for (int64_t r = 0; r < n_out; ++r) {
    for (float& v : row) v = normal(rng);
    QuantizeRow(dtype, row.data(), m.bytes.data() + r * row_bytes, n_in);
    DequantizeRow(dtype, m.bytes.data() + r * row_bytes, m.dequantized.data() + r * n_in, n_in);
  }
  return m;
}

std::vector<float> RandomActivations(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = normal(rng);
  return x;
}

// sqrt(Σ_k (w_k x_k)²) per output: the natural scale of a dot product error.
std::vector<double> ErrorScales(const Matrix& m, const float* x, int64_t n_tokens) {
  std::vector<double> scales(n_tokens * m.n_out);
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t r = 0; r < m.n_out; ++r) {
      double sum_squares = 0.0;
      for (int64_t k = 0; k < m.n_in; ++k) {
        const double term = static_cast<double>(m.dequantized[r * m.n_in + k]) * x[t * m.n_in + k];
        sum_squares += term * term;
      }
      scales[t * m.n_out + r] = std::sqrt(sum_squares) + 1e-30;
    }
  }
  return scales;
}

std::vector<const KernelTable*> AllTables() {
  std::vector<const KernelTable*> tables;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (const KernelTable* table = KernelsFor(isa)) tables.push_back(table);
  }
  return tables;
}

class PackedWeights : public ::testing::TestWithParam<DType> {};

TEST_P(PackedWeights, UnpackingAPackedMatrixGivesBackTheFileBytes) {
  const Matrix m = RandomMatrix(GetParam(), 96, 32, 11);
  ThreadPool pool(2);
  AlignedBuffer packed(m.bytes.size());
  const TensorView view = PackMatrix(m.View(), packed.data(), pool);
  EXPECT_EQ(view.dtype, *PackedDTypeOf(GetParam()));
  EXPECT_EQ(view.n_bytes(), m.View().n_bytes());
  std::vector<uint8_t> unpacked(m.bytes.size());
  const int64_t row_bytes = view.row_bytes();
  for (int64_t p = 0; p < m.n_out / kPanelRows; ++p) {
    UnpackPanel(view.dtype, view.row(p * kPanelRows), row_bytes, m.n_in, unpacked.data() + p * kPanelRows * row_bytes);
  }
  EXPECT_EQ(unpacked, m.bytes);
}

TEST_P(PackedWeights, MatMulOverPackedWeightsEqualsMatMulOverTheFileLayout) {
  const DType dtype = GetParam();
  ThreadPool pool(2);
  uint32_t seed = 100;
  for (int64_t n_out : {16, 48, 64}) {  // 1, 3 and 4 panels
    for (int64_t n_in : {32, 256, 2080}) {
      const Matrix m = RandomMatrix(dtype, n_in, n_out, seed++);
      AlignedBuffer packed_bytes(m.bytes.size());
      const TensorView packed = PackMatrix(m.View(), packed_bytes.data(), pool);
      for (int64_t n_tokens : {1, 2, 3, 4, 5, 15, 16, 17, 33, 130}) {
        const std::vector<float> x = RandomActivations(n_tokens * n_in, seed++);
        const std::vector<double> scales = ErrorScales(m, x.data(), n_tokens);
        std::vector<float> reference(n_tokens * n_out);
        MatMul(*KernelsFor(Isa::kScalar), m.View(), x.data(), n_tokens, reference.data(), pool);
        for (const KernelTable* table : AllTables()) {
          std::vector<float> y(n_tokens * n_out, NAN);
          MatMul(*table, packed, x.data(), n_tokens, y.data(), pool);
          double worst = 0.0;
          for (size_t i = 0; i < y.size(); ++i) {
            const double diff = std::fabs(static_cast<double>(y[i]) - reference[i]) / scales[i];
            worst = std::isnan(diff) ? INFINITY : std::max(worst, diff);
          }
          ASSERT_LE(worst, kPackedVsFileTolerance)
              << IsaName(table->isa) << " " << DTypeName(dtype) << " n_in=" << n_in << " n_out=" << n_out
              << " n_tokens=" << n_tokens;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Q4AndQ8, PackedWeights, ::testing::Values(DType::kQ4_0, DType::kQ8_0),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

TEST(PackedWeightsShape, OnlyQ4AndQ8MatricesWithWholePanelsPack) {
  TensorView w;
  w.dtype = DType::kQ4_0;
  w.ne[0] = 64;
  w.ne[1] = 32;
  EXPECT_TRUE(CanPack(w));
  w.ne[1] = 40;
  EXPECT_FALSE(CanPack(w));
  w.ne[1] = 32;
  w.dtype = DType::kQ4_K;
  w.ne[0] = 256;
  EXPECT_FALSE(CanPack(w));
  w.dtype = DType::kQ8_0;
  EXPECT_TRUE(CanPack(w));
}

TEST(PackedWeightsShape, PackedTypesAreNeitherFileTypesNorParsedNames) {
  EXPECT_FALSE(LookupDType(static_cast<uint32_t>(DType::kQ4_0x16)).has_value());
  EXPECT_FALSE(ParseDTypeName("q8_0x16").has_value());
  EXPECT_EQ(UnpackedDTypeOf(DType::kQ8_0x16), DType::kQ8_0);
  EXPECT_EQ(PackedRecordBytes(DType::kQ4_0x16), 16 * 18);
  EXPECT_EQ(PackedRecordBytes(DType::kQ8_0x16), 16 * 34);
}

TEST(PackedWeightsShape, MatricesWithRaggedPanelsStayUnpackedAndStillMultiply) {
  const Matrix m = RandomMatrix(DType::kQ4_0, 64, 40, 5);
  ASSERT_FALSE(CanPack(m.View()));
  ThreadPool pool(1);
  const std::vector<float> x = RandomActivations(3 * 64, 6);
  std::vector<float> y(3 * 40, NAN), reference(3 * 40);
  MatMul(m.View(), x.data(), 3, y.data(), pool);
  MatMul(*KernelsFor(Isa::kScalar), m.View(), x.data(), 3, reference.data(), pool);
  const std::vector<double> scales = ErrorScales(m, x.data(), 3);
  for (size_t i = 0; i < y.size(); ++i) EXPECT_LE(std::fabs(y[i] - reference[i]) / scales[i], kPackedVsFileTolerance);
}

}  // namespace
}  // namespace fab::kernels
