#include "request/finish_reason.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace fab {
namespace {

TEST(FinishReason, EveryReasonHasItsOwnName) {
  std::set<std::string> names;
  for (int i = 0; i < kNumFinishReasons; ++i) names.insert(FinishReasonName(static_cast<FinishReason>(i)));
  EXPECT_EQ(names.size(), static_cast<size_t>(kNumFinishReasons));
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST(FinishReason, OnlyStopTokensAndStringsAreStops) {
  EXPECT_TRUE(IsStop(FinishReason::kStopToken));
  EXPECT_TRUE(IsStop(FinishReason::kStopString));
  for (FinishReason other : {FinishReason::kMaxTokens, FinishReason::kCancelled, FinishReason::kKvCacheFull,
                             FinishReason::kError}) {
    EXPECT_FALSE(IsStop(other)) << FinishReasonName(other);
  }
}

}  // namespace
}  // namespace fab
