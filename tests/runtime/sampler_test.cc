#include "runtime/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace fab::runtime {
namespace {

SamplingParams Greedy() {
  SamplingParams p;
  p.temperature = 0.0f;
  return p;
}

TEST(Sampler, GreedyPicksTheLargestLogit) {
  Sampler sampler(Greedy());
  std::vector<float> logits = {0.1f, 3.0f, -1.0f, 2.9f};
  EXPECT_EQ(sampler.Sample(logits, {}), 1);
}

TEST(Sampler, SameSeedGivesSameTokens) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = 42;
  std::vector<float> logits(100);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(static_cast<float>(i));
  Sampler a(p), b(p);
  std::vector<TokenId> from_a, from_b;
  for (int i = 0; i < 50; ++i) {
    from_a.push_back(a.Sample(logits, from_a));
    from_b.push_back(b.Sample(logits, from_b));
  }
  EXPECT_EQ(from_a, from_b);
  p.seed = 43;
  Sampler c(p);
  std::vector<TokenId> from_c;
  for (int i = 0; i < 50; ++i) from_c.push_back(c.Sample(logits, from_c));
  EXPECT_NE(from_a, from_c);
}

TEST(Sampler, TopKOneIsGreedy) {
  SamplingParams p;
  p.temperature = 5.0f;
  p.top_k = 1;
  Sampler sampler(p);
  std::vector<float> logits = {1.0f, 0.0f, 4.0f, 3.9f};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(sampler.Sample(logits, {}), 2);
}

TEST(Sampler, TopPKeepsOnlyTheNucleus) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.min_p = 0.0f;
  p.top_p = 0.5f;
  Sampler sampler(p);
  // Token 0 alone holds ~88% of the mass.
  std::vector<float> logits = {4.0f, 1.0f, 1.0f, 1.0f, 0.0f};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sampler.Sample(logits, {}), 0);
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.5f;
  Sampler sampler(p);
  std::vector<float> logits = {2.0f, 2.0f - std::log(1.5f), 0.0f};  // p1/p0 = 0.67, p2/p0 = 0.14
  std::map<TokenId, int> seen;
  for (int i = 0; i < 200; ++i) ++seen[sampler.Sample(logits, {})];
  EXPECT_GT(seen[0], 0);
  EXPECT_GT(seen[1], 0);
  EXPECT_EQ(seen.count(2), 0u);
}

TEST(Sampler, RepetitionPenaltyDemotesSeenTokens) {
  SamplingParams p = Greedy();
  p.repetition_penalty = 2.0f;
  Sampler sampler(p);
  std::vector<float> logits = {3.0f, 2.0f};
  std::vector<TokenId> history = {0};
  EXPECT_EQ(sampler.Sample(logits, history), 1);  // 3/2 < 2
}

TEST(Sampler, FrequencyAndPresencePenaltiesSubtract) {
  SamplingParams p = Greedy();
  p.frequency_penalty = 0.5f;
  p.presence_penalty = 0.2f;
  Sampler sampler(p);
  std::vector<float> logits = {3.0f, 2.0f};
  std::vector<TokenId> history = {0, 0};  // 3 - 2*0.5 - 0.2 = 1.8 < 2
  EXPECT_EQ(sampler.Sample(logits, history), 1);
}

TEST(SamplingParams, RejectsOutOfRangeValues) {
  SamplingParams p;
  p.temperature = -1.0f;
  EXPECT_FALSE(p.Validate().ok());
  p = SamplingParams();
  p.top_p = std::nanf("");
  EXPECT_FALSE(p.Validate().ok());
  p = SamplingParams();
  p.top_k = -3;
  EXPECT_FALSE(p.Validate().ok());
  EXPECT_TRUE(SamplingParams().Validate().ok());
}

TEST(Sampler, LogitBiasOfMinusHundredBansTheGreedyToken) {
  SamplingParams p = Greedy();
  p.logit_bias = {{1, -100.0f}};
  Sampler sampler(p);
  std::vector<float> logits = {0.1f, 30.0f, -1.0f, 2.9f};
  EXPECT_EQ(sampler.Sample(logits, {}), 3);
}

TEST(Sampler, LogitBiasOfPlusHundredForcesATokenAlsoWhenSampling) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.logit_bias = {{2, 100.0f}};
  std::vector<float> logits(50);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = 5.0f * std::sin(static_cast<float>(i));
  for (uint64_t seed = 0; seed < 20; ++seed) {
    p.seed = seed;
    Sampler sampler(p);
    EXPECT_EQ(sampler.Sample(logits, {}), 2) << "seed " << seed;
  }
}

TEST(Sampler, LogitBiasOfMinusHundredIsNeverSampled) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  std::vector<float> logits = {4.0f, 3.5f, 3.0f};
  p.logit_bias = {{0, -100.0f}};
  Sampler sampler(p);
  std::map<TokenId, int> counts;
  for (int i = 0; i < 500; ++i) ++counts[sampler.Sample(logits, {})];
  EXPECT_EQ(counts[0], 0);
  EXPECT_GT(counts[1], 0);
  EXPECT_GT(counts[2], 0);
}

TEST(Sampler, LogitBiasComesBeforePenalties) {
  // Token 0's logit becomes 3 + 2 = 5, then the repetition penalty divides
  // it to 2.5 < 3: the bias was added first. (Penalty first: 1.5 + 2 = 3.5 > 3.)
  SamplingParams p = Greedy();
  p.repetition_penalty = 2.0f;
  p.logit_bias = {{0, 2.0f}};
  Sampler sampler(p);
  std::vector<float> logits = {3.0f, 3.0f};
  std::vector<TokenId> history = {0};
  EXPECT_EQ(sampler.Sample(logits, history), 1);
}

TEST(Sampler, IgnoresLogitBiasIdsOutsideTheRow) {
  SamplingParams p = Greedy();
  p.logit_bias = {{-1, 100.0f}, {7, 100.0f}};
  Sampler sampler(p);
  std::vector<float> logits = {0.0f, 1.0f};
  EXPECT_EQ(sampler.Sample(logits, {}), 1);
}

}  // namespace
}  // namespace fab::runtime
