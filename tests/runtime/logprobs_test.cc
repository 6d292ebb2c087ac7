// Logprobs: the vector log-sum-exp matches a double-precision reference, and
// the partial top-n selection gives the n best tokens of a full sort, best
// first with ties broken by lower id.
#include "runtime/logprobs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace fab::runtime {
namespace {

// The vector exp is accurate to ~2e-7 relative per term; the float sum of a
// few thousand terms adds a little more.
constexpr float kLogSumExpTolerance = 1e-5f;

double ReferenceLogSumExp(const std::vector<float>& logits) {
  const double max = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float logit : logits) sum += std::exp(static_cast<double>(logit) - max);
  return max + std::log(sum);
}

std::vector<float> WavyLogits(size_t n, float scale) {
  std::vector<float> logits(n);
  for (size_t i = 0; i < n; ++i) logits[i] = scale * std::sin(0.37f * static_cast<float>(i) + 0.1f * (i % 7));
  return logits;
}

TEST(LogprobScratch, LogSumExpMatchesDoublePrecisionForEveryRowLength) {
  LogprobScratch scratch;
  for (size_t n : {1u, 2u, 15u, 16u, 17u, 33u, 600u, 32000u}) {
    for (float scale : {0.5f, 8.0f, 60.0f}) {
      const std::vector<float> logits = WavyLogits(n, scale);
      const double expected = ReferenceLogSumExp(logits);
      EXPECT_NEAR(scratch.LogSumExp(logits), expected, kLogSumExpTolerance * std::max(1.0, std::fabs(expected)))
          << "n " << n << " scale " << scale;
    }
  }
}

TEST(LogprobScratch, LogSumExpLeavesTheRowUntouched) {
  LogprobScratch scratch;
  const std::vector<float> logits = WavyLogits(100, 3.0f);
  const std::vector<float> copy = logits;
  scratch.LogSumExp(logits);
  EXPECT_EQ(logits, copy);
}

TEST(TopLogprobs, GivesTheBestOfAFullSortBestFirst) {
  const std::vector<float> logits = WavyLogits(5000, 10.0f);
  LogprobScratch scratch;
  const float log_sum_exp = scratch.LogSumExp(logits);
  std::vector<int32_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
  std::vector<TokenLogprob> top;
  for (int32_t n : {1, 5, 20}) {
    TopLogprobs(logits, log_sum_exp, n, top);
    ASSERT_EQ(top.size(), static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) {
      EXPECT_EQ(top[i].token, order[i]) << "rank " << i;
      EXPECT_FLOAT_EQ(top[i].logprob, logits[order[i]] - log_sum_exp);
    }
  }
}

TEST(TopLogprobs, BreaksTiesByLowerIdAndCapsAtTheRowSize) {
  const std::vector<float> logits = {1.0f, 3.0f, 2.0f, 3.0f, 3.0f};
  std::vector<TokenLogprob> top;
  TopLogprobs(logits, 0.0f, 2, top);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].token, 1);
  EXPECT_EQ(top[1].token, 3);
  TopLogprobs(logits, 0.0f, 20, top);
  ASSERT_EQ(top.size(), 5u);
  const std::vector<TokenId> expected = {1, 3, 4, 2, 0};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(top[i].token, expected[i]);
  TopLogprobs(logits, 0.0f, 0, top);
  EXPECT_TRUE(top.empty());
}

TEST(TopLogprobs, IgnoresMinusInfinityOnlyAfterTheBufferIsFull) {
  const float minus_inf = -std::numeric_limits<float>::infinity();
  const std::vector<float> logits = {minus_inf, 0.5f, minus_inf};
  std::vector<TokenLogprob> top;
  TopLogprobs(logits, 0.0f, 2, top);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].token, 1);
  EXPECT_EQ(top[1].token, 0);
  EXPECT_EQ(top[1].logprob, minus_inf);
}

}  // namespace
}  // namespace fab::runtime
