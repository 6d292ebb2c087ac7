#include "server/job_metering.h"

#include <gtest/gtest.h>

namespace fab::server {
namespace {

Caller WithTier(control::Tier tier) {
  Caller caller;
  caller.principal.emplace();
  caller.principal->policy.tier = tier;
  return caller;
}

TEST(ResolveTier, TheServiceTierMayLowerTheKeysTierButNeverRaiseIt) {
  using control::Tier;
  EXPECT_EQ(ResolveTier(WithTier(Tier::kPremium), std::nullopt), Tier::kPremium);
  EXPECT_EQ(ResolveTier(WithTier(Tier::kPremium), "flex"), Tier::kBatch);
  EXPECT_EQ(ResolveTier(WithTier(Tier::kPremium), "default"), Tier::kStandard);
  EXPECT_EQ(ResolveTier(WithTier(Tier::kStandard), "priority"), Tier::kStandard);
  EXPECT_EQ(ResolveTier(WithTier(Tier::kBatch), "priority"), Tier::kBatch);
  EXPECT_EQ(ResolveTier(Caller{}, "priority"), Tier::kStandard);
  EXPECT_EQ(ResolveTier(Caller{}, "flex"), Tier::kBatch);
  EXPECT_EQ(ResolveTier(Caller{}, std::nullopt), Tier::kStandard);
}

TEST(TierPriority, PremiumAndBatchDecideAndStandardKeepsTheRequestsOwn) {
  using control::Tier;
  EXPECT_EQ(TierPriority(Tier::kPremium, Priority::kBatch), Priority::kPremium);
  EXPECT_EQ(TierPriority(Tier::kBatch, Priority::kInteractive), Priority::kBatch);
  EXPECT_EQ(TierPriority(Tier::kStandard, Priority::kBatch), Priority::kBatch);
  EXPECT_EQ(TierPriority(Tier::kStandard, Priority::kInteractive), Priority::kInteractive);
}

TEST(RateLimitHeaders, NameOnlyTheLimitsTheCallerHasAndReadLikeOpenAis) {
  control::RateLimitState limits;
  EXPECT_TRUE(RateLimitHeaders(limits).empty());
  limits.limit_requests = 60;
  limits.remaining_requests = 59;
  limits.reset_requests_s = 360.2;
  const HeaderList headers = RateLimitHeaders(limits);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"x-ratelimit-limit-requests", "60"}));
  EXPECT_EQ(headers[1], (std::pair<std::string, std::string>{"x-ratelimit-remaining-requests", "59"}));
  EXPECT_EQ(headers[2], (std::pair<std::string, std::string>{"x-ratelimit-reset-requests", "6m1s"}));
}

}  // namespace
}  // namespace fab::server
