// Packed layouts (packed_weights.h): packing round-trips to the file bytes
// for every packed dtype, which matrices pack, that MatMul over packed q4_0 /
// q8_0 weights equals MatMul over the file layout on every kernel table at
// token counts around the tile size and odd/even panel counts, and for the
// K-quants (q8_K-style activations, so not the file path's numbers): the
// layout accessors decode like DequantizeRow, every table's quantizer agrees
// with the scalar one, and every table's panel kernel equals the scalar twin
// on the same activation tile for 1..16 tokens.
#include "kernels/packed_weights.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/aligned_buffer.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"
#include "kernels/quantize.h"

namespace fab::kernels {
namespace {

// max over outputs of |packed - file| / sqrt(Σ_k (w_k x_k)²) on the same
// table: both paths quantize x identically and compute exact integer block
// sums; only the float accumulation order differs.
constexpr double kPackedVsFileTolerance = 1e-5;
// max over outputs of |isa - scalar| / sqrt(Σ_k (w_k x_k)²) for one packed
// K-quant panel and the same quantized tile: exact integer sums, float
// products in another order (the scalar twin sums in double).
constexpr double kIsaVsScalarTolerance = 1e-5;
// DequantizeRow against the layout accessors' d·sc·code − dmin·m: the same
// float products in another order.
constexpr float kAccessorTolerance = 1e-6f;

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

// A row length of a few blocks of `dtype` (3 super-blocks for the K-quants).
int64_t FewBlocks(DType dtype) { return 3 * GetDTypeInfo(dtype).block_size; }

TEST_P(PackedWeights, UnpackingAPackedMatrixGivesBackTheFileBytes) {
  const Matrix m = RandomMatrix(GetParam(), FewBlocks(GetParam()), 32, 11);
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

class PackedQ4AndQ8 : public ::testing::TestWithParam<DType> {};

TEST_P(PackedQ4AndQ8, MatMulOverPackedWeightsEqualsMatMulOverTheFileLayout) {
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

// MatMulGrouped: the products of several matrices (packed and not, some
// tasks reading the same activations) in one call equal one MatMul per task
// on the same table, bit for bit.
TEST(MatMulGrouped, EqualsOneMatMulPerTaskOnEveryTable) {
  ThreadPool pool(2);
  struct Spec {
    DType dtype;
    int64_t n_in, n_out, n_tokens;
    bool pack;
    bool shares_previous_x;
  };
  const std::vector<Spec> specs = {
      {DType::kQ4_0, 256, 48, 3, true, false},  {DType::kQ4_0, 256, 32, 3, true, true},
      {DType::kQ4_0, 256, 16, 3, true, false},  {DType::kQ4_0, 256, 16, 1, true, false},  {DType::kQ8_0, 64, 16, 17, true, false},
      {DType::kQ4_K, 512, 32, 16, true, false}, {DType::kQ6_K, 256, 16, 2, true, false},
      {DType::kQ8_0, 96, 40, 5, false, false},  {DType::kQ4_0, 256, 16, 0, true, false},
      {DType::kQ4_0, 2080, 64, 33, true, false}};
  uint32_t seed = 700;
  std::vector<Matrix> matrices;
  std::vector<AlignedBuffer> packed(specs.size());
  std::vector<std::vector<float>> xs(specs.size());
  std::vector<MatMulTask> tasks;
  for (size_t i = 0; i < specs.size(); ++i) {
    const Spec& spec = specs[i];
    matrices.push_back(RandomMatrix(spec.dtype, spec.n_in, spec.n_out, seed++));
    TensorView w = matrices.back().View();
    if (spec.pack) {
      packed[i] = AlignedBuffer(matrices.back().bytes.size());
      w = PackMatrix(w, packed[i].data(), pool);
    }
    xs[i] = RandomActivations(std::max<int64_t>(spec.n_tokens, 1) * spec.n_in, seed++);
    const float* x = spec.shares_previous_x ? tasks.back().x : xs[i].data();
    tasks.push_back({w, x, spec.n_tokens, nullptr});
  }
  for (const KernelTable* table : AllTables()) {
    std::vector<std::vector<float>> grouped(specs.size()), single(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
      grouped[i].assign(std::max<int64_t>(specs[i].n_tokens, 1) * specs[i].n_out, NAN);
      single[i].assign(grouped[i].size(), NAN);
      tasks[i].y = grouped[i].data();
      MatMul(*table, tasks[i].w, tasks[i].x, specs[i].n_tokens, single[i].data(), pool);
    }
    MatMulGrouped(*table, tasks, pool);
    for (size_t i = 0; i < specs.size(); ++i) {
      for (size_t j = 0; j < single[i].size(); ++j) {
        ASSERT_TRUE(std::isnan(single[i][j]) ? std::isnan(grouped[i][j]) : grouped[i][j] == single[i][j])
            << IsaName(table->isa) << " task " << i << " output " << j;
      }
    }
  }
}

std::string DTypeParamName(const ::testing::TestParamInfo<DType>& info) { return DTypeName(info.param); }

INSTANTIATE_TEST_SUITE_P(AllPackable, PackedWeights,
                         ::testing::Values(DType::kQ4_0, DType::kQ8_0, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K),
                         DTypeParamName);
INSTANTIATE_TEST_SUITE_P(Q4AndQ8, PackedQ4AndQ8, ::testing::Values(DType::kQ4_0, DType::kQ8_0), DTypeParamName);

class PackedKQuant : public ::testing::TestWithParam<DType> {};

TEST_P(PackedKQuant, LayoutAccessorsDecodeLikeDequantizeRow) {
  const DType dtype = GetParam();
  const Matrix m = RandomMatrix(dtype, 512, 16, 21);
  AlignedBuffer packed_bytes(m.bytes.size());
  ThreadPool pool(1);
  const TensorView packed = PackMatrix(m.View(), packed_bytes.data(), pool);
  const bool q6 = dtype == DType::kQ6_K;
  const int sub_len = q6 ? 16 : 32;
  for (int64_t b = 0; b < m.n_in / kQkK; ++b) {
    const uint8_t* record = packed.row(0) + b * PackedRecordBytes(packed.dtype);
    for (int r = 0; r < kPanelRows; ++r) {
      const float d = LoadFp16(record + PackedByteOffset(packed.dtype, r, q6 ? 208 : 0));
      const float dmin = q6 ? 0.0f : LoadFp16(record + PackedByteOffset(packed.dtype, r, 2));
      for (int k = 0; k < kQkK; ++k) {
        int scale = 0, min = 0;
        PackedScaleMinK(packed.dtype, record, r, k / sub_len, &scale, &min);
        const int code = PackedCodeK(packed.dtype, record, r, k) - (q6 ? 32 : 0);
        const float value = d * static_cast<float>(scale) * static_cast<float>(code) - dmin * static_cast<float>(min);
        const float expected = m.dequantized[r * m.n_in + b * kQkK + k];
        ASSERT_NEAR(value, expected, kAccessorTolerance * (1.0f + std::fabs(expected))) << "row " << r << " k " << k;
      }
    }
  }
}

TEST_P(PackedKQuant, EveryTableQuantizesActivationsLikeTheScalarTwin) {
  const int sum_len = KActSumLength(*PackedDTypeOf(GetParam()));
  const int n_pairs = kQkK / sum_len / 2;
  const int64_t n_in = 768;
  std::vector<float> x = RandomActivations(n_in, 31);
  x[300] = 40.0f;  // one outlier: its super-block gets a coarse scale
  std::fill(x.begin() + 512, x.end(), 0.0f);  // an all-zero super-block
  struct Row {
    std::vector<int8_t> q = std::vector<int8_t>(768);
    std::vector<float> scale = std::vector<float>(3);
    std::vector<int32_t> sums = std::vector<int32_t>(3 * 8);
    ActRow View() { return ActRow{q.data(), scale.data(), sums.data(), nullptr}; }
  };
  Row reference;
  QuantizeActivationRowKScalar(sum_len, x.data(), n_in, reference.View());
  for (const KernelTable* table : AllTables()) {
    Row row;
    table->quant.quantize_activation_row_k(sum_len, x.data(), n_in, row.View());
    for (int64_t sb = 0; sb < n_in / kQkK; ++sb) {
      EXPECT_FLOAT_EQ(row.scale[sb], reference.scale[sb]) << IsaName(table->isa);
      for (int p = 0; p < n_pairs; ++p) {
        // Each pair holds the int16 sums of the table's own codes.
        int32_t sums[2] = {0, 0};
        for (int half = 0; half < 2; ++half) {
          for (int i = 0; i < sum_len; ++i) sums[half] += row.q[sb * kQkK + (2 * p + half) * sum_len + i];
        }
        const int32_t pair = row.sums[sb * n_pairs + p];
        EXPECT_EQ(static_cast<int16_t>(pair & 0xFFFF), sums[0]) << IsaName(table->isa);
        EXPECT_EQ(static_cast<int16_t>(static_cast<uint32_t>(pair) >> 16), sums[1]) << IsaName(table->isa);
      }
    }
    for (int64_t k = 0; k < n_in; ++k) {
      ASSERT_LE(std::abs(row.q[k] - reference.q[k]), 1) << IsaName(table->isa) << " k " << k;
    }
    for (int64_t k = 512; k < n_in; ++k) ASSERT_EQ(row.q[k], 0) << IsaName(table->isa);
  }
}

// Quantizes n_tokens rows (scalar twin) into a dense tile as matmul.cc
// builds it: q [n_in / 32][8][n][4], scale [n_sb][n], sums [n_sb][n][pairs].
struct DenseKTile {
  std::vector<int8_t> q;
  std::vector<float> scale;
  std::vector<int32_t> sums;
  ActTile View() const { return ActTile{q.data(), scale.data(), sums.data(), nullptr}; }
};

DenseKTile MakeDenseKTile(DType packed_dtype, const std::vector<float>& x, int64_t n_in, int n) {
  const int sum_len = KActSumLength(packed_dtype);
  const int n_pairs = KActSumPairs(packed_dtype);
  const int64_t n_sb = n_in / kQkK;
  DenseKTile tile{std::vector<int8_t>(n_in * n), std::vector<float>(n_sb * n),
                  std::vector<int32_t>(n_sb * n * n_pairs)};
  std::vector<int8_t> q(n_in);
  std::vector<float> scale(n_sb);
  std::vector<int32_t> sums(n_sb * n_pairs);
  for (int t = 0; t < n; ++t) {
    const ActRow row{q.data(), scale.data(), sums.data(), nullptr};
    QuantizeActivationRowKScalar(sum_len, x.data() + t * n_in, n_in, row);
    for (int64_t sb = 0; sb < n_sb; ++sb) {
      tile.scale[sb * n + t] = scale[sb];
      for (int p = 0; p < n_pairs; ++p) tile.sums[(sb * n + t) * n_pairs + p] = sums[sb * n_pairs + p];
    }
    for (int64_t group = 0; group < n_in / 4; ++group) {
      for (int i = 0; i < 4; ++i) tile.q[(group * n + t) * 4 + i] = q[group * 4 + i];
    }
  }
  return tile;
}

TEST_P(PackedKQuant, EveryTablesPanelKernelEqualsTheScalarTwinOnOneTile) {
  const DType dtype = GetParam();
  ThreadPool pool(1);
  uint32_t seed = 40;
  for (int64_t n_in : {256, 512, 768}) {
    const Matrix m = RandomMatrix(dtype, n_in, 16, seed++);
    AlignedBuffer packed_bytes(m.bytes.size());
    const TensorView packed = PackMatrix(m.View(), packed_bytes.data(), pool);
    for (int n_tokens = 1; n_tokens <= kTileTokens; ++n_tokens) {
      const std::vector<float> x = RandomActivations(n_tokens * n_in, seed++);
      const DenseKTile tile = MakeDenseKTile(packed.dtype, x, n_in, n_tokens);
      const std::vector<double> scales = ErrorScales(m, x.data(), n_tokens);
      std::vector<float> reference(n_tokens * 16);
      PackedGemmPanelScalar(packed.dtype, packed.row(0), n_in / kQkK, tile.View(), n_tokens, reference.data(), 16);
      for (const KernelTable* table : AllTables()) {
        std::vector<float> y(n_tokens * 16, NAN);
        table->quant.packed_gemm_panel(packed.dtype, packed.row(0), n_in / kQkK, tile.View(), n_tokens, y.data(), 16);
        for (int t = 0; t < n_tokens; ++t) {
          for (int r = 0; r < 16; ++r) {
            const double diff = std::fabs(static_cast<double>(y[t * 16 + r]) - reference[t * 16 + r]);
            ASSERT_LE(diff / scales[t * 16 + r], kIsaVsScalarTolerance)
                << IsaName(table->isa) << " n_in=" << n_in << " n_tokens=" << n_tokens << " t=" << t << " r=" << r;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(KQuants, PackedKQuant, ::testing::Values(DType::kQ4_K, DType::kQ5_K, DType::kQ6_K),
                         DTypeParamName);

TEST(PackedWeightsShape, OnlyPackableDtypesWithWholePanelsPack) {
  TensorView w;
  w.dtype = DType::kQ4_0;
  w.ne[0] = 64;
  w.ne[1] = 32;
  EXPECT_TRUE(CanPack(w));
  w.ne[1] = 40;
  EXPECT_FALSE(CanPack(w));
  w.ne[1] = 32;
  w.dtype = DType::kQ8_0;
  EXPECT_TRUE(CanPack(w));
  for (DType k_quant : {DType::kQ4_K, DType::kQ5_K, DType::kQ6_K}) {
    w.dtype = k_quant;
    w.ne[0] = 512;
    w.ne[1] = 32;
    EXPECT_TRUE(CanPack(w)) << DTypeName(k_quant);
    w.ne[1] = 33;
    EXPECT_FALSE(CanPack(w)) << DTypeName(k_quant);
  }
  w.dtype = DType::kQ4_1;
  w.ne[1] = 32;
  EXPECT_FALSE(CanPack(w));
  w.dtype = DType::kF16;
  EXPECT_FALSE(CanPack(w));
}

TEST(PackedWeightsShape, PackedTypesAreNeitherFileTypesNorParsedNames) {
  EXPECT_FALSE(LookupDType(static_cast<uint32_t>(DType::kQ4_0x16)).has_value());
  EXPECT_FALSE(ParseDTypeName("q8_0x16").has_value());
  EXPECT_EQ(UnpackedDTypeOf(DType::kQ8_0x16), DType::kQ8_0);
  EXPECT_EQ(PackedRecordBytes(DType::kQ4_0x16), 16 * 18);
  EXPECT_EQ(PackedRecordBytes(DType::kQ8_0x16), 16 * 34);
  EXPECT_FALSE(ParseDTypeName("q4_kx16").has_value());
  EXPECT_EQ(UnpackedDTypeOf(DType::kQ6_Kx16), DType::kQ6_K);
  EXPECT_EQ(PackedRecordBytes(DType::kQ4_Kx16), 16 * 144);
  EXPECT_EQ(PackedRecordBytes(DType::kQ5_Kx16), 16 * 176);
  EXPECT_EQ(PackedRecordBytes(DType::kQ6_Kx16), 16 * 210);
  EXPECT_TRUE(IsPackedKQuant(DType::kQ5_Kx16));
  EXPECT_FALSE(IsPackedKQuant(DType::kQ4_0x16));
}

TEST(PackedWeightsShape, MatricesWithRaggedPanelsStayUnpackedAndStillMultiply) {
  for (DType dtype : {DType::kQ4_0, DType::kQ4_K, DType::kQ6_K}) {
    SCOPED_TRACE(DTypeName(dtype));
    const int64_t n_in = FewBlocks(dtype);
    const Matrix m = RandomMatrix(dtype, n_in, 40, 5);
    ASSERT_FALSE(CanPack(m.View()));
    ThreadPool pool(1);
    const std::vector<float> x = RandomActivations(3 * n_in, 6);
    std::vector<float> y(3 * 40, NAN), reference(3 * 40);
    MatMul(m.View(), x.data(), 3, y.data(), pool);
    MatMul(*KernelsFor(Isa::kScalar), m.View(), x.data(), 3, reference.data(), pool);
    const std::vector<double> scales = ErrorScales(m, x.data(), 3);
    for (size_t i = 0; i < y.size(); ++i) EXPECT_LE(std::fabs(y[i] - reference[i]) / scales[i], kPackedVsFileTolerance);
  }
}

}  // namespace
}  // namespace fab::kernels
