// AttentionCausal against a naive double-precision attention for the model
// shapes we run (GQA and MHA, head_dim 64 and 128, prefill and decode, long
// contexts), and the attention inner-loop kernels against their scalar twins.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "float_ops_test_util.h"
#include "kernels/ops.h"

namespace fab::kernels {
namespace {

using testing::FillUniform;
using testing::MisalignedFloats;
using testing::RandomVector;
using testing::ScalarTable;
using testing::VectorTables;

// Absolute, on outputs that are convex combinations of values in [-1, 1].
constexpr double kAttentionTolerance = 2e-5;
// Kernel-level: relative to Σ|q·k| (scores) or Σ|w·v| (accumulate).
constexpr double kInnerLoopTolerance = 1e-5;

struct Case {
  int n_head;
  int n_head_kv;
  int head_dim;
  int64_t pos0;
  int64_t n_tokens;
  float query_gain;  // larger makes the softmax sharper
};

// out [n_tokens, n_head, head_dim] by the textbook formula in double.
// With window > 0 a query attends only its last `window` positions; with
// softcap > 0 scores become softcap · tanh(score / softcap).
std::vector<double> NaiveAttention(const Case& shape, const std::vector<float>& q, const std::vector<float>& k,
                                   const std::vector<float>& v, double scale, int64_t window = 0,
                                   double softcap = 0.0) {
  const int64_t kv_stride = static_cast<int64_t>(shape.n_head_kv) * shape.head_dim;
  const int group = shape.n_head / shape.n_head_kv;
  std::vector<double> out(shape.n_tokens * shape.n_head * shape.head_dim, 0.0);
  for (int64_t t = 0; t < shape.n_tokens; ++t) {
    const int64_t n_kv = shape.pos0 + t + 1;
    const int64_t first = window > 0 && n_kv > window ? n_kv - window : 0;
    for (int h = 0; h < shape.n_head; ++h) {
      const float* q_row = &q[(t * shape.n_head + h) * shape.head_dim];
      const int64_t kv_offset = static_cast<int64_t>(h / group) * shape.head_dim;
      std::vector<double> scores(n_kv, 0.0);
      double max = -1e300, sum = 0.0;
      for (int64_t j = first; j < n_kv; ++j) {
        double dot = 0.0;
        for (int d = 0; d < shape.head_dim; ++d)
          dot += static_cast<double>(q_row[d]) * k[j * kv_stride + kv_offset + d];
        scores[j] = dot * scale;
        if (softcap > 0.0) scores[j] = softcap * std::tanh(scores[j] / softcap);
        max = scores[j] > max ? scores[j] : max;
      }
      for (int64_t j = first; j < n_kv; ++j) sum += scores[j] = std::exp(scores[j] - max);
      double* out_row = &out[(t * shape.n_head + h) * shape.head_dim];
      for (int64_t j = first; j < n_kv; ++j) {
        for (int d = 0; d < shape.head_dim; ++d) out_row[d] += scores[j] / sum * v[j * kv_stride + kv_offset + d];
      }
    }
  }
  return out;
}

struct Inputs {
  std::vector<float> q, k, v;
};

Inputs MakeInputs(const Case& shape, uint32_t seed) {
  const int64_t n_ctx = shape.pos0 + shape.n_tokens;
  Inputs inputs;
  inputs.q = RandomVector(shape.n_tokens * shape.n_head * shape.head_dim, -shape.query_gain, shape.query_gain, seed);
  inputs.k = RandomVector(n_ctx * shape.n_head_kv * shape.head_dim, -1.0f, 1.0f, seed + 1);
  inputs.v = RandomVector(n_ctx * shape.n_head_kv * shape.head_dim, -1.0f, 1.0f, seed + 2);
  return inputs;
}

std::vector<float> RunAttention(const KernelTable& table, const Case& shape, const Inputs& inputs, ThreadPool& pool,
                                int64_t window = 0, float softcap = 0.0f) {
  AttentionShape attention{shape.n_head, shape.n_head_kv, shape.head_dim,
                           1.0f / std::sqrt(static_cast<float>(shape.head_dim))};
  attention.window = window;
  attention.softcap = softcap;
  std::vector<float> out(inputs.q.size(), -12345.0f);
  AttentionCausal(table, inputs.q.data(), shape.n_tokens, shape.pos0, inputs.k.data(), inputs.v.data(), attention,
                  out.data(), pool);
  return out;
}

::testing::AssertionResult MatchesNaive(const Case& shape, const std::vector<float>& actual,
                                        const std::vector<double>& expected) {
  for (size_t i = 0; i < expected.size(); ++i) {
    if (!(std::fabs(actual[i] - expected[i]) <= kAttentionTolerance)) {
      return ::testing::AssertionFailure() << "heads " << shape.n_head << "/" << shape.n_head_kv << " head_dim "
                                           << shape.head_dim << " pos0 " << shape.pos0 << " n_tokens " << shape.n_tokens
                                           << ": element " << i << " is " << actual[i] << ", expected " << expected[i];
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<const KernelTable*> AllTables() {
  std::vector<const KernelTable*> tables = VectorTables();
  tables.insert(tables.begin(), &ScalarTable());
  return tables;
}

TEST(AttentionCausal, MatchesNaiveDoubleAttentionOnEveryIsa) {
  ThreadPool pool(3);
  std::vector<Case> cases;
  for (auto [n_head, n_head_kv] : {std::pair{4, 2}, {32, 4}, {8, 8}}) {
    for (int head_dim : {64, 128}) {
      for (int64_t pos0 : {0, 300}) {
        for (int64_t n_tokens : {1, 37}) cases.push_back({n_head, n_head_kv, head_dim, pos0, n_tokens, 1.0f});
      }
    }
  }
  cases.push_back({4, 2, 64, 20, 37, 8.0f});  // sharp softmax
  cases.push_back({6, 3, 80, 5, 3, 1.0f});    // head_dim not a multiple of 16
  cases.push_back({2, 1, 20, 0, 9, 2.0f});    // head_dim below one zmm
  uint32_t seed = 1;
  for (const Case& shape : cases) {
    const Inputs inputs = MakeInputs(shape, seed += 3);
    const std::vector<double> expected =
        NaiveAttention(shape, inputs.q, inputs.k, inputs.v, 1.0 / std::sqrt(static_cast<double>(shape.head_dim)));
    for (const KernelTable* table : AllTables()) {
      EXPECT_TRUE(MatchesNaive(shape, RunAttention(*table, shape, inputs, pool), expected)) << IsaName(table->isa);
    }
  }
}

// Gemma's sliding-window layers and soft-capped scores: a query at position
// p attends [p + 1 - window, p] only, for windows shorter and longer than
// the keys a block holds, and scores pass through cap · tanh(s / cap).
TEST(AttentionCausal, SlidingWindowAndSoftCapMatchNaiveDoubleAttentionOnEveryIsa) {
  ThreadPool pool(3);
  uint32_t seed = 500;
  for (const Case& shape : {Case{4, 2, 64, 0, 40, 4.0f}, Case{8, 2, 128, 300, 37, 4.0f}, Case{2, 1, 20, 3, 9, 2.0f}}) {
    for (int64_t window : {1, 7, 24, 200}) {
      for (float softcap : {0.0f, 1.5f}) {
        const Inputs inputs = MakeInputs(shape, seed += 3);
        const std::vector<double> expected = NaiveAttention(
            shape, inputs.q, inputs.k, inputs.v, 1.0 / std::sqrt(static_cast<double>(shape.head_dim)), window, softcap);
        for (const KernelTable* table : AllTables()) {
          EXPECT_TRUE(MatchesNaive(shape, RunAttention(*table, shape, inputs, pool, window, softcap), expected))
              << IsaName(table->isa) << " window " << window << " softcap " << softcap;
        }
      }
    }
  }
}

TEST(AttentionCausal, StaysAccurateOverLongContexts) {
  ThreadPool pool(2);
  // Crosses many key blocks; the last token attends to 4099 rows.
  const Case shape{8, 2, 64, 4096, 3, 3.0f};
  const Inputs inputs = MakeInputs(shape, 77);
  const std::vector<double> expected = NaiveAttention(shape, inputs.q, inputs.k, inputs.v, 1.0 / 8.0);
  for (const KernelTable* table : AllTables()) {
    EXPECT_TRUE(MatchesNaive(shape, RunAttention(*table, shape, inputs, pool), expected)) << IsaName(table->isa);
  }
}

TEST(AttentionCausal, IgnoresCacheRowsAfterEachTokensPosition) {
  ThreadPool pool(2);
  const Case shape{4, 2, 64, 10, 5, 1.0f};
  Inputs inputs = MakeInputs(shape, 5);
  // Rows past pos0 + n_tokens - 1 are outside the contract; rows after a
  // token's own position must not change that token's output.
  inputs.k.resize(inputs.k.size() + 2 * 64 * 7, 0.0f);
  inputs.v.resize(inputs.v.size() + 2 * 64 * 7, 0.0f);
  for (const KernelTable* table : AllTables()) {
    const std::vector<float> before = RunAttention(*table, shape, inputs, pool);
    Inputs changed = inputs;
    const int64_t last_row = shape.pos0 + shape.n_tokens - 1;
    for (int64_t i = last_row * 2 * 64; i < static_cast<int64_t>(changed.k.size()); ++i) {
      changed.k[i] = 50.0f;
      changed.v[i] = -50.0f;
    }
    const std::vector<float> after = RunAttention(*table, shape, changed, pool);
    const int64_t last_token_begin = (shape.n_tokens - 1) * shape.n_head * shape.head_dim;
    for (int64_t i = 0; i < last_token_begin; ++i) ASSERT_EQ(before[i], after[i]) << IsaName(table->isa) << " " << i;
    EXPECT_NE(before[last_token_begin], after[last_token_begin]);
  }
}

// Thread counts change how query heads are grouped per work item (and so
// whether K/V blocks are packed), never the arithmetic of a head.
TEST(AttentionCausal, GivesTheSameResultForAnyThreadCount) {
  ThreadPool one(1), three(3);
  for (const Case& shape : {Case{8, 2, 64, 3, 11, 1.0f}, Case{8, 2, 64, 300, 1, 1.0f}}) {
    const Inputs inputs = MakeInputs(shape, 9);
    for (const KernelTable* table : AllTables()) {
      EXPECT_EQ(RunAttention(*table, shape, inputs, one), RunAttention(*table, shape, inputs, three))
          << IsaName(table->isa) << " n_tokens " << shape.n_tokens;
    }
  }
}

TEST(AttentionKernels, MatchScalarTwinOnEveryIsa) {
  constexpr int64_t kStride = 300;  // row stride of the cache, in floats
  for (const KernelTable* table : VectorTables()) {
    for (int head_dim = 1; head_dim <= 264; head_dim += (head_dim < 70 ? 1 : 13)) {
      for (int64_t n_keys : {1, 3, 4, 5, 31, 256}) {
        const int offset = (head_dim + static_cast<int>(n_keys)) % 16;
        MisalignedFloats q(head_dim, offset), kv(n_keys * kStride, (offset + 3) % 16), weights(n_keys, 2);
        FillUniform(q.data(), head_dim, -1.0f, 1.0f, static_cast<uint32_t>(head_dim));
        FillUniform(kv.data(), n_keys * kStride, -1.0f, 1.0f, static_cast<uint32_t>(n_keys));
        FillUniform(weights.data(), n_keys, 0.0f, 1.0f, 3);
        std::vector<float> expected_scores(n_keys), scores(n_keys);
        ScalarTable().floats.attention_scores(q.data(), kv.data(), kStride, n_keys, head_dim, 0.5f,
                                              expected_scores.data());
        table->floats.attention_scores(q.data(), kv.data(), kStride, n_keys, head_dim, 0.5f, scores.data());
        std::vector<float> expected_acc = RandomVector(head_dim, -1.0f, 1.0f, 4), acc = expected_acc;
        ScalarTable().floats.attention_accumulate(weights.data(), kv.data(), kStride, n_keys, head_dim,
                                                  expected_acc.data());
        table->floats.attention_accumulate(weights.data(), kv.data(), kStride, n_keys, head_dim, acc.data());
        for (int64_t j = 0; j < n_keys; ++j) {
          ASSERT_NEAR(scores[j], expected_scores[j], kInnerLoopTolerance * head_dim)
              << IsaName(table->isa) << " head_dim " << head_dim << " key " << j;
        }
        for (int d = 0; d < head_dim; ++d) {
          ASSERT_NEAR(acc[d], expected_acc[d], kInnerLoopTolerance * (n_keys + 1))
              << IsaName(table->isa) << " head_dim " << head_dim << " n_keys " << n_keys << " dim " << d;
        }
      }
    }
  }
}

}  // namespace
}  // namespace fab::kernels
