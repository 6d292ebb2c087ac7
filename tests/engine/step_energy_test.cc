#include "engine/step_energy.h"

#include <gtest/gtest.h>

#include <numeric>

namespace fab::engine {
namespace {

StepPlan PlanOf(const std::vector<std::vector<TokenId>>& fed) {
  StepPlan plan;
  for (size_t i = 0; i < fed.size(); ++i) {
    ScheduledSequence sequence;
    sequence.seq_id = static_cast<SeqId>(i + 1);
    sequence.tokens = fed[i];
    plan.sequences.push_back(sequence);
  }
  return plan;
}

TEST(SplitByTokens, SharesAStepInProportionToTheTokensEachRequestFed) {
  const std::vector<std::vector<TokenId>> fed = {std::vector<TokenId>(512, 1), {7}, {8}, std::vector<TokenId>(6, 2)};
  const StepPlan plan = PlanOf(fed);
  const std::vector<double> shares = SplitByTokens(plan, 52.0);
  ASSERT_EQ(shares.size(), 4u);
  EXPECT_DOUBLE_EQ(shares[0], 52.0 * 512 / 520);
  EXPECT_DOUBLE_EQ(shares[1], 52.0 / 520);
  EXPECT_NEAR(shares[3], 52.0 * 6 / 520, 1e-12);  // the last share takes the rounding remainder
}

TEST(SplitByTokens, TheSharesAddUpToTheStepsEnergyExactly) {
  for (double joules : {0.0, 1.0, 0.1, 1234.5678, 1e-9}) {
    for (int n : {1, 2, 3, 7, 64}) {
      std::vector<std::vector<TokenId>> fed;
      for (int i = 0; i < n; ++i) fed.push_back(std::vector<TokenId>(static_cast<size_t>(1 + (i * 37) % 100), 1));
      const StepPlan plan = PlanOf(fed);
      const std::vector<double> shares = SplitByTokens(plan, joules);
      EXPECT_EQ(std::accumulate(shares.begin(), shares.end(), 0.0), joules) << n << " sequences, " << joules << " J";
    }
  }
}

TEST(SplitByTokens, AnEmptyPlanHasNoShares) { EXPECT_TRUE(SplitByTokens(StepPlan{}, 5.0).empty()); }

}  // namespace
}  // namespace fab::engine
