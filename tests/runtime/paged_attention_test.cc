// PagedAttention: against a double-precision reference computed from the
// float32 K/V before storage, F32 pages are exact to float rounding, F16 and
// Q8_0 pages stay within their rounding's reach; a row's output is bit-for-bit
// the same alone or in a batch, and with 1 or 3 threads.
#include "runtime/paged_attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace fab::runtime {
namespace {

// Outputs are softmax-weighted means of N(0, 1) values, |out| mostly < 1.
// F32: float32 accumulation over at most 200 keys (seen: < 1e-6). F16: K/V
// rounded to 11 significant bits, relative 2^-11 (seen: 8e-4). Q8_0: each
// value within half a step, max|x| / 254 of its group of 32; N(0, 1) groups
// reach max|x| ≈ 4, so a row attending one key (position 0) is off by up to
// about 0.016, and key errors move the softmax weights by under 1% (seen:
// 0.021). The bounds leave 2-4× room yet fail for misplaced levels or
// scales, whose errors are of order 1.
constexpr double kF32Tolerance = 1e-5;
constexpr double kF16Tolerance = 3e-3;
constexpr double kQ8Tolerance = 5e-2;

constexpr int kHeads = 8, kKvHeads = 2, kHeadDim = 64, kBlockSize = 16, kLayer = 1;

struct Fixture {
  // Per sequence: keys / values [n_positions, kv_dim] as written.
  std::vector<std::vector<float>> keys, values;
  std::vector<std::vector<BlockId>> tables;
  std::vector<std::span<const BlockId>> table_spans;
  // The step's rows.
  std::vector<float> q;
  std::vector<int32_t> positions, row_sequence;
};

// Three sequences of 200, 37 and 100 positions in interleaved blocks; the
// step holds a 40-row prefill chunk of the first (positions 150..189), one
// decode row of the second (36) and a 33-row chunk of the third (0..32).
Fixture MakeFixture(KvPages& pages) {
  Fixture f;
  std::mt19937 rng(17);
  std::normal_distribution<float> normal;
  const int lengths[] = {200, 37, 100};
  BlockId next_block = 3;
  for (int seq = 0; seq < 3; ++seq) {
    const int64_t n = lengths[seq];
    std::vector<float>& k = f.keys.emplace_back(static_cast<size_t>(n * kKvHeads * kHeadDim));
    std::vector<float>& v = f.values.emplace_back(k.size());
    for (float& x : k) x = normal(rng);
    for (float& x : v) x = normal(rng);
    std::vector<BlockId>& table = f.tables.emplace_back();
    for (int64_t b = 0; b * kBlockSize < n; ++b) table.push_back(next_block++ * 3 % 47);  // scattered, distinct
    for (int64_t p = 0; p < n; ++p) {
      pages.Write(kLayer, table[static_cast<size_t>(p / kBlockSize)], static_cast<int32_t>(p % kBlockSize),
                  k.data() + p * kKvHeads * kHeadDim, v.data() + p * kKvHeads * kHeadDim);
    }
  }
  for (const auto& table : f.tables) f.table_spans.emplace_back(table);
  for (int32_t p = 150; p < 190; ++p) f.positions.push_back(p), f.row_sequence.push_back(0);
  f.positions.push_back(36), f.row_sequence.push_back(1);
  for (int32_t p = 0; p < 33; ++p) f.positions.push_back(p), f.row_sequence.push_back(2);
  f.q.resize(f.positions.size() * kHeads * kHeadDim);
  for (float& x : f.q) x = normal(rng);
  return f;
}

kernels::AttentionShape Shape(int64_t window = 0, float softcap = 0.0f) {
  kernels::AttentionShape shape;
  shape.window = window;
  shape.softcap = softcap;
  shape.n_head = kHeads;
  shape.n_head_kv = kKvHeads;
  shape.head_dim = kHeadDim;
  shape.scale = 1.0f / std::sqrt(static_cast<float>(kHeadDim));
  return shape;
}

KvPages MakePages(KvDType dtype) {
  auto pages = KvPages::Create(KvPagesShape{48, kBlockSize, 2, kKvHeads, kHeadDim}, dtype);
  FAB_CHECK(pages.ok()) << pages.status().ToString();
  return std::move(pages).value();
}

std::vector<float> RunRows(const KvPages& pages, const Fixture& f, ThreadPool& pool, int64_t first_row, int64_t n_rows,
                           const kernels::AttentionShape& shape = Shape()) {
  PagedAttentionRows rows;
  rows.q = f.q.data() + first_row * kHeads * kHeadDim;
  rows.n_rows = n_rows;
  rows.positions = f.positions.data() + first_row;
  rows.row_sequence = f.row_sequence.data() + first_row;
  rows.block_tables = f.table_spans;
  std::vector<float> out(static_cast<size_t>(n_rows * kHeads * kHeadDim));
  PagedAttention(pages, kLayer, rows, shape, out.data(), pool);
  return out;
}

// Causal softmax attention in double from the unrounded K/V, over the last
// `window` positions when window > 0, scores soft-capped when softcap > 0.
std::vector<double> Reference(const Fixture& f, int64_t window = 0, double softcap = 0.0) {
  std::vector<double> out(f.q.size());
  const double scale = 1.0 / std::sqrt(static_cast<double>(kHeadDim));
  for (size_t row = 0; row < f.positions.size(); ++row) {
    const std::vector<float>& k = f.keys[static_cast<size_t>(f.row_sequence[row])];
    const std::vector<float>& v = f.values[static_cast<size_t>(f.row_sequence[row])];
    const int64_t n_keys = f.positions[row] + 1;
    const int64_t first = window > 0 && n_keys > window ? n_keys - window : 0;
    for (int head = 0; head < kHeads; ++head) {
      const int kv_head = head / (kHeads / kKvHeads);
      const float* q = f.q.data() + (row * kHeads + head) * kHeadDim;
      std::vector<double> scores(static_cast<size_t>(n_keys), 0.0);
      double max = -INFINITY, sum = 0.0;
      for (int64_t j = first; j < n_keys; ++j) {
        double dot = 0.0;
        for (int d = 0; d < kHeadDim; ++d) dot += static_cast<double>(q[d]) * k[(j * kKvHeads + kv_head) * kHeadDim + d];
        double score = dot * scale;
        if (softcap > 0.0) score = softcap * std::tanh(score / softcap);
        scores[static_cast<size_t>(j)] = score;
        max = std::max(max, score);
      }
      for (int64_t j = first; j < n_keys; ++j) sum += (scores[j] = std::exp(scores[j] - max));
      for (int d = 0; d < kHeadDim; ++d) {
        double acc = 0.0;
        for (int64_t j = first; j < n_keys; ++j) acc += scores[static_cast<size_t>(j)] * v[(j * kKvHeads + kv_head) * kHeadDim + d];
        out[(row * kHeads + head) * kHeadDim + d] = acc / sum;
      }
    }
  }
  return out;
}

double MaxError(const std::vector<float>& got, const std::vector<double>& want) {
  double max = 0.0;
  for (size_t i = 0; i < got.size(); ++i) max = std::max(max, std::fabs(got[i] - want[i]));
  return max;
}

void ExpectCloseToReference(KvDType dtype, double tolerance) {
  KvPages pages = MakePages(dtype);
  const Fixture f = MakeFixture(pages);
  ThreadPool pool(2);
  const std::vector<float> out = RunRows(pages, f, pool, 0, static_cast<int64_t>(f.positions.size()));
  const double error = MaxError(out, Reference(f));
  EXPECT_LE(error, tolerance) << KvDTypeName(dtype);
  ::testing::Test::RecordProperty(std::string("max_error_") + KvDTypeName(dtype), std::to_string(error));
}

TEST(PagedAttention, F32PagesMatchTheReference) { ExpectCloseToReference(KvDType::kF32, kF32Tolerance); }
TEST(PagedAttention, F16PagesStayWithinHalfPrecisionOfTheReference) {
  ExpectCloseToReference(KvDType::kF16, kF16Tolerance);
}
TEST(PagedAttention, Q8PagesStayWithinQuantizationReachOfTheReference) {
  ExpectCloseToReference(KvDType::kQ8_0, kQ8Tolerance);
}

// Sliding windows shorter than a block, across chunk boundaries and longer
// than every sequence, with and without soft-capped scores (gemma2).
TEST(PagedAttention, SlidingWindowAndSoftCapMatchTheReference) {
  KvPages pages = MakePages(KvDType::kF32);
  const Fixture f = MakeFixture(pages);
  ThreadPool pool(2);
  const int64_t n_rows = static_cast<int64_t>(f.positions.size());
  for (int64_t window : {1, 5, 24, 130, 1000}) {
    for (float softcap : {0.0f, 2.0f}) {
      const std::vector<float> out = RunRows(pages, f, pool, 0, n_rows, Shape(window, softcap));
      EXPECT_LE(MaxError(out, Reference(f, window, softcap)), kF32Tolerance) << "window " << window << " softcap "
                                                                             << softcap;
    }
  }
}

TEST(PagedAttention, RowsGiveTheSameBitsAloneInABatchAndOnAnyThreadCount) {
  for (KvDType dtype : {KvDType::kF16, KvDType::kQ8_0}) {
    KvPages pages = MakePages(dtype);
    const Fixture f = MakeFixture(pages);
    const int64_t n_rows = static_cast<int64_t>(f.positions.size());
    ThreadPool one(1), three(3);
    const std::vector<float> batch = RunRows(pages, f, three, 0, n_rows);
    EXPECT_EQ(RunRows(pages, f, one, 0, n_rows), batch);
    const size_t row_floats = kHeads * kHeadDim;
    for (int64_t row : {int64_t{0}, int64_t{17}, int64_t{39}, int64_t{40}, int64_t{41}, n_rows - 1}) {
      const std::vector<float> alone = RunRows(pages, f, one, row, 1);
      EXPECT_TRUE(std::equal(alone.begin(), alone.end(), batch.begin() + static_cast<int64_t>(row * row_floats)))
          << "row " << row << " " << KvDTypeName(dtype);
    }
  }
}

}  // namespace
}  // namespace fab::runtime
