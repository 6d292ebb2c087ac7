// MatMul sweep: every computable weight dtype x every ISA this CPU runs x
// sizes (ragged rows, tokens around the tile sizes, n_in not a multiple of
// 256) x misaligned activations, against (a) the scalar twin, tightly, and
// (b) an exact float product over the dequantized weights, loosely. Packed
// K-quant sweep: every table's MatMul over q4_K / q5_K / q6_K panels against
// the exact product, within the bound that 8-bit activations imply.
#include "kernels/matmul.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/aligned_buffer.h"
#include "kernels/packed_weights.h"
#include "kernels/quant_blocks.h"
#include "kernels/quantize.h"

namespace fab::kernels {
namespace {

// max over outputs of |isa - scalar| / sqrt(Σ_k (w_k x_k)²): the integer dot
// products are identical, only float summation order differs.
constexpr double kIsaVsScalarTolerance = 1e-5;
// rms over outputs of (result - exact) / sqrt(Σ_k (w_k x_k)²), the natural
// scale of a dot product of random-signed terms, for quantized weights whose
// activations are rounded to 8 bits (typically ~0.005).
constexpr double kQuantizedVsExactTolerance = 0.02;
// Packed K-quants take q8_K-style activations (quant_ops.h): x_k is rounded
// to a multiple of its super-block's d = max|x| / 127, an error of at most
// d/2, so |result - exact| ≤ Σ_k |w_k| · d(k) / 2 holds for any rounding;
// this slack covers float rounding on top (relative to that bound and to
// the natural scale sqrt(Σ_k (w_k x_k)²)).
constexpr double kActivationBoundSlack = 1e-3;
// Same for float weights (f32/f16/bf16 products are computed in float).
constexpr double kFloatVsExactTolerance = 1e-5;

const DType kAllDtypes[] = {DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ8_0, DType::kQ4_0,
                            DType::kQ4_1, DType::kQ5_0, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};

bool IsQuantized(DType dtype) {
  return dtype != DType::kF32 && dtype != DType::kF16 && dtype != DType::kBF16;
}

struct Problem {
  DType dtype;
  int64_t n_in;
  int64_t n_out;
  std::vector<uint8_t> weights;  // [n_out] rows of RowBytes(dtype, n_in)
  std::vector<float> dequantized;  // [n_out, n_in]
};

Problem MakeProblem(DType dtype, int64_t n_in, int64_t n_out, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Problem problem{dtype, n_in, n_out, {}, std::vector<float>(n_in * n_out)};
  const int64_t row_bytes = RowBytes(dtype, n_in).value();
  problem.weights.resize(row_bytes * n_out);
  std::vector<float> row(n_in);
  for (int64_t r = 0; r < n_out; ++r) {
    for (float& v : row) v = normal(rng) * 0.05f;
    QuantizeRow(dtype, row.data(), problem.weights.data() + r * row_bytes, n_in);
    DequantizeRow(dtype, problem.weights.data() + r * row_bytes, problem.dequantized.data() + r * n_in, n_in);
  }
  return problem;
}

TensorView ViewOf(const Problem& problem) {
  TensorView view;
  view.dtype = problem.dtype;
  view.ne[0] = problem.n_in;
  view.ne[1] = problem.n_out;
  view.data = problem.weights.data();
  return view;
}

// The exact product over the dequantized weights, and the per-output scale
// sqrt(Σ_k (w_k x_k)²) that errors are measured against.
struct Exact {
  std::vector<double> y;
  std::vector<double> scale;
};

Exact ExactProduct(const Problem& problem, const float* x, int64_t n_tokens) {
  Exact exact{std::vector<double>(n_tokens * problem.n_out), std::vector<double>(n_tokens * problem.n_out)};
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t r = 0; r < problem.n_out; ++r) {
      double sum = 0.0, sum_squares = 0.0;
      for (int64_t k = 0; k < problem.n_in; ++k) {
        const double term = static_cast<double>(problem.dequantized[r * problem.n_in + k]) * x[t * problem.n_in + k];
        sum += term;
        sum_squares += term * term;
      }
      exact.y[t * problem.n_out + r] = sum;
      exact.scale[t * problem.n_out + r] = std::sqrt(sum_squares) + 1e-30;
    }
  }
  return exact;
}

double MaxRelativeDiff(const std::vector<float>& a, const std::vector<float>& b, const Exact& exact) {
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b[i]) / exact.scale[i]);
  }
  return worst;
}

double RelativeRmsError(const std::vector<float>& result, const Exact& exact) {
  double err = 0.0;
  for (size_t i = 0; i < result.size(); ++i) {
    const double relative = (result[i] - exact.y[i]) / exact.scale[i];
    err += relative * relative;
  }
  return std::sqrt(err / static_cast<double>(result.size()));
}

// The vector tables this CPU runs (the scalar twin is the reference).
std::vector<const KernelTable*> AvailableVectorTables() {
  std::vector<const KernelTable*> tables;
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    if (const KernelTable* table = KernelsFor(isa)) tables.push_back(table);
  }
  return tables;
}

class MatMulSweep : public ::testing::TestWithParam<DType> {};

TEST_P(MatMulSweep, MatchesScalarTwinAndExactProduct) {
  const DType dtype = GetParam();
  const int64_t block = GetDTypeInfo(dtype).block_size;
  ThreadPool pool(2);
  const std::vector<const KernelTable*> tables = AvailableVectorTables();
  uint32_t seed = 1;
  int case_idx = 0;
  for (int64_t n_in : {32, 64, 256, 512, 768, 2048, 2816}) {
    if (n_in % block != 0) continue;
    for (int64_t n_out : {1, 6, 16, 35}) {
      const Problem problem = MakeProblem(dtype, n_in, n_out, seed++);
      for (int64_t n_tokens : {1, 2, 3, 7, 16, 33}) {
        const int64_t misalign = case_idx++ % 3;  // floats: x at +0, +4, +8 bytes from 64-byte alignment
        std::mt19937 rng(seed++);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> x_storage(n_tokens * n_in + 16);
        float* x = x_storage.data() + misalign;
        for (int64_t i = 0; i < n_tokens * n_in; ++i) x[i] = normal(rng);
        const Exact exact = ExactProduct(problem, x, n_tokens);
        std::vector<float> scalar(n_tokens * n_out);
        MatMul(*KernelsFor(Isa::kScalar), ViewOf(problem), x, n_tokens, scalar.data(), pool);
        const std::string where = std::string(DTypeName(dtype)) + " n_in=" + std::to_string(n_in) +
                                  " n_out=" + std::to_string(n_out) + " n_tokens=" + std::to_string(n_tokens);
        const double exact_tolerance = IsQuantized(dtype) ? kQuantizedVsExactTolerance : kFloatVsExactTolerance;
        ASSERT_LT(RelativeRmsError(scalar, exact), exact_tolerance) << "scalar " << where;
        for (const KernelTable* table : tables) {
          std::vector<float> y(n_tokens * n_out, NAN);
          MatMul(*table, ViewOf(problem), x, n_tokens, y.data(), pool);
          ASSERT_LE(MaxRelativeDiff(y, scalar, exact), kIsaVsScalarTolerance) << IsaName(table->isa) << " " << where;
          ASSERT_LT(RelativeRmsError(y, exact), exact_tolerance) << IsaName(table->isa) << " " << where;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllDtypes, MatMulSweep, ::testing::ValuesIn(kAllDtypes),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

// Σ_k |w_k| · d(k) / 2 per output: the largest error 8-bit q8_K-style
// activations can add to an exact product.
std::vector<double> ActivationErrorBounds(const Problem& problem, const float* x, int64_t n_tokens) {
  std::vector<double> bounds(n_tokens * problem.n_out);
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t r = 0; r < problem.n_out; ++r) {
      double bound = 0.0;
      for (int64_t sb = 0; sb < problem.n_in / kQkK; ++sb) {
        double amax = 0.0, weight_sum = 0.0;
        for (int64_t k = sb * kQkK; k < (sb + 1) * kQkK; ++k) {
          amax = std::max(amax, std::fabs(static_cast<double>(x[t * problem.n_in + k])));
          weight_sum += std::fabs(static_cast<double>(problem.dequantized[r * problem.n_in + k]));
        }
        bound += weight_sum * amax / 127.0 / 2.0;
      }
      bounds[t * problem.n_out + r] = bound;
    }
  }
  return bounds;
}

class PackedKQuantSweep : public ::testing::TestWithParam<DType> {};

TEST_P(PackedKQuantSweep, EveryTableStaysWithinTheActivationRoundingBound) {
  const DType dtype = GetParam();
  ThreadPool pool(2);
  std::vector<const KernelTable*> tables = {KernelsFor(Isa::kScalar)};
  for (const KernelTable* table : AvailableVectorTables()) tables.push_back(table);
  if (tables.size() < 3) {
    GTEST_LOG_(INFO) << "this CPU runs " << tables.size() << " of the 3 kernel tables; the others are skipped";
  }
  uint32_t seed = 7;
  for (int64_t n_in : {256, 512, 2816}) {
    for (int64_t n_out : {16, 48}) {
      const Problem problem = MakeProblem(dtype, n_in, n_out, seed++);
      ASSERT_TRUE(CanPack(ViewOf(problem)));
      AlignedBuffer packed_bytes(problem.weights.size());
      const TensorView packed = PackMatrix(ViewOf(problem), packed_bytes.data(), pool);
      for (int64_t n_tokens : {1, 2, 7, 16, 33}) {
        std::mt19937 rng(seed++);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> x(n_tokens * n_in);
        for (float& v : x) v = normal(rng);
        const Exact exact = ExactProduct(problem, x.data(), n_tokens);
        const std::vector<double> bounds = ActivationErrorBounds(problem, x.data(), n_tokens);
        for (const KernelTable* table : tables) {
          std::vector<float> y(n_tokens * n_out, NAN);
          MatMul(*table, packed, x.data(), n_tokens, y.data(), pool);
          const std::string where = std::string(IsaName(table->isa)) + " " + DTypeName(dtype) +
                                    " n_in=" + std::to_string(n_in) + " n_out=" + std::to_string(n_out) +
                                    " n_tokens=" + std::to_string(n_tokens);
          for (size_t i = 0; i < y.size(); ++i) {
            const double allowed = bounds[i] * (1.0 + kActivationBoundSlack) + kActivationBoundSlack * exact.scale[i];
            ASSERT_LE(std::fabs(y[i] - exact.y[i]), allowed) << where << " output " << i;
          }
          ASSERT_LT(RelativeRmsError(y, exact), kQuantizedVsExactTolerance) << where;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(KQuants, PackedKQuantSweep, ::testing::Values(DType::kQ4_K, DType::kQ5_K, DType::kQ6_K),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

TEST(MatMul, ActiveKernelsMatchScalarTwinOnALargeBatch) {
  ThreadPool pool(2);
  const Problem problem = MakeProblem(DType::kQ4_0, 512, 70, 99);
  std::vector<float> x(100 * 512);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  for (float& v : x) v = uniform(rng);
  std::vector<float> active(100 * 70), scalar(100 * 70);
  MatMul(ViewOf(problem), x.data(), 100, active.data(), pool);
  MatMul(*KernelsFor(Isa::kScalar), ViewOf(problem), x.data(), 100, scalar.data(), pool);
  EXPECT_LE(MaxRelativeDiff(active, scalar, ExactProduct(problem, x.data(), 100)), kIsaVsScalarTolerance);
}

TEST(MatMul, OutlierActivationStaysAccurate) {
  // One huge activation per block only costs the precision of its own block.
  ThreadPool pool(1);
  const Problem problem = MakeProblem(DType::kQ8_0, 256, 8, 3);
  std::vector<float> x(256, 0.01f);
  x[5] = 100.0f;
  std::vector<float> y(8);
  MatMul(ViewOf(problem), x.data(), 1, y.data(), pool);
  EXPECT_LT(RelativeRmsError(y, ExactProduct(problem, x.data(), 1)), kQuantizedVsExactTolerance);
}

}  // namespace
}  // namespace fab::kernels
