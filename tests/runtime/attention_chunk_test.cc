// AttentionChunkOps: every SIMD table's (AVX2, AVX-512) scores and
// accumulate kernels equal the scalar twin (double accumulation) within
// float rounding for every query count (AVX2 scores take two per pass), head
// sizes below, at and around whole vectors of 8 and 16, key counts around
// the four-key step, odd strides and unaligned pointers, and never write
// outside their rows.
#include "runtime/attention_chunk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch.h"

namespace fab::runtime {
namespace {

// Float32 sums of n products differ from the double sum by at most about
// n · 2^-24 of Σ|terms|; n ≤ 130 here, so 1e-5 of Σ|terms| is a safe bound.
constexpr double kRelativeToAbsSum = 1e-5;
constexpr float kCanary = -12345.0f;

// One SIMD table under test: its ISA's name and its getter (null where this CPU cannot run it).
struct SimdOps {
  const char* isa;
  const AttentionChunkOps* (*table)();
};

// Test names and ctest show the ISA, not the struct's bytes.
void PrintTo(const SimdOps& simd, std::ostream* os) { *os << simd.isa; }

class AttentionChunkSimdTable : public ::testing::TestWithParam<SimdOps> {
 protected:
  void SetUp() override {
    fast_ = GetParam().table();
    if (fast_ == nullptr) GTEST_SKIP() << "this CPU cannot run the " << GetParam().isa << " kernels";
  }
  std::vector<float> Random(size_t n) {
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    std::vector<float> values(n);
    for (float& x : values) x = value(rng_);
    return values;
  }
  const AttentionChunkOps* fast_ = nullptr;
  std::mt19937 rng_{11};
};

INSTANTIATE_TEST_SUITE_P(PerIsa, AttentionChunkSimdTable,
                         ::testing::Values(SimdOps{"avx2", &AttentionChunkOpsAvx2},
                                           SimdOps{"avx512", &AttentionChunkOpsAvx512}),
                         [](const ::testing::TestParamInfo<SimdOps>& info) { return std::string(info.param.isa); });

const int kHeadDims[] = {3, 7, 8, 12, 16, 32, 40, 64, 72, 80, 96, 128};
const int64_t kKeyCounts[] = {0, 1, 2, 3, 4, 5, 6, 8, 13, 127, 130};

TEST_P(AttentionChunkSimdTable, ScoresMatchTheScalarTwin) {
  for (int head_dim : kHeadDims) {
    for (int64_t n_keys : kKeyCounts) {
      for (int n_queries = 1; n_queries <= AttentionChunkOps::kMaxQueries; ++n_queries) {
        const int64_t q_stride = head_dim + 3, scores_stride = n_keys + 5;
        const std::vector<float> q = Random(static_cast<size_t>(q_stride * n_queries + 1));
        const std::vector<float> keys = Random(static_cast<size_t>(n_keys * head_dim + 1));
        std::vector<float> want(static_cast<size_t>(scores_stride * n_queries + 1), kCanary), got(want);
        // +1: unaligned starts.
        AttentionChunkOpsScalar().scores(q.data() + 1, q_stride, n_queries, keys.data() + 1, n_keys, head_dim, 0.7f,
                                         want.data() + 1, scores_stride);
        fast_->scores(q.data() + 1, q_stride, n_queries, keys.data() + 1, n_keys, head_dim, 0.7f, got.data() + 1,
                      scores_stride);
        for (int g = 0; g < n_queries; ++g) {
          for (int64_t j = 0; j < n_keys; ++j) {
            double abs_sum = 0.0;
            for (int d = 0; d < head_dim; ++d) abs_sum += std::fabs(q[1 + g * q_stride + d] * keys[1 + j * head_dim + d]);
            const size_t at = static_cast<size_t>(1 + g * scores_stride + j);
            ASSERT_NEAR(got[at], want[at], kRelativeToAbsSum * abs_sum)
                << "head_dim " << head_dim << " keys " << n_keys << " queries " << n_queries << " at " << at;
          }
        }
        for (size_t i = 0; i < got.size(); ++i) {
          if (want[i] == kCanary) {
            ASSERT_EQ(got[i], kCanary) << "wrote outside its rows at " << i;
          }
        }
      }
    }
  }
}

TEST_P(AttentionChunkSimdTable, AccumulateMatchesTheScalarTwin) {
  for (int head_dim : kHeadDims) {
    for (int64_t n_keys : kKeyCounts) {
      for (int n_queries = 1; n_queries <= AttentionChunkOps::kMaxQueries; ++n_queries) {
        const int64_t weights_stride = n_keys + 2, acc_stride = head_dim + 5;
        const std::vector<float> weights = Random(static_cast<size_t>(weights_stride * n_queries + 1));
        const std::vector<float> values = Random(static_cast<size_t>(n_keys * head_dim + 1));
        std::vector<float> want(static_cast<size_t>(acc_stride * n_queries + 1), kCanary);
        for (int g = 0; g < n_queries; ++g) {
          for (int d = 0; d < head_dim; ++d) want[static_cast<size_t>(1 + g * acc_stride + d)] = 0.25f * d - 3.0f;
        }
        std::vector<float> got = want;
        AttentionChunkOpsScalar().accumulate(weights.data() + 1, weights_stride, n_queries, values.data() + 1, n_keys,
                                             head_dim, want.data() + 1, acc_stride);
        fast_->accumulate(weights.data() + 1, weights_stride, n_queries, values.data() + 1, n_keys, head_dim,
                          got.data() + 1, acc_stride);
        for (int g = 0; g < n_queries; ++g) {
          for (int d = 0; d < head_dim; ++d) {
            double abs_sum = std::fabs(0.25 * d - 3.0);
            for (int64_t j = 0; j < n_keys; ++j) {
              abs_sum += std::fabs(weights[1 + g * weights_stride + j] * values[1 + j * head_dim + d]);
            }
            const size_t at = static_cast<size_t>(1 + g * acc_stride + d);
            ASSERT_NEAR(got[at], want[at], kRelativeToAbsSum * abs_sum)
                << "head_dim " << head_dim << " keys " << n_keys << " queries " << n_queries << " d " << d;
          }
        }
        for (size_t i = 0; i < got.size(); ++i) {
          if (want[i] == kCanary) {
            ASSERT_EQ(got[i], kCanary) << "wrote outside its rows at " << i;
          }
        }
      }
    }
  }
}

TEST(ActiveAttentionChunkOps, IsTheTableOfTheIsaTheKernelsRun) {
  switch (kernels::ActiveKernels().isa) {
    case kernels::Isa::kAvx512: EXPECT_EQ(&ActiveAttentionChunkOps(), AttentionChunkOpsAvx512()); break;
    case kernels::Isa::kAvx2: EXPECT_EQ(&ActiveAttentionChunkOps(), AttentionChunkOpsAvx2()); break;
    case kernels::Isa::kScalar: EXPECT_EQ(&ActiveAttentionChunkOps(), &AttentionChunkOpsScalar()); break;
  }
}

}  // namespace
}  // namespace fab::runtime
