// RequestTimings measures queue time, TTFT and end-to-end from submission;
// finish reasons have stable names (metrics labels, API fields).
#include <gtest/gtest.h>

#include <string>

#include "engine/request_summary.h"

namespace fab::engine {
namespace {

TEST(RequestTimings, MeasureFromSubmission) {
  RequestTimings timings;
  timings.submitted = Clock::time_point(std::chrono::seconds(10));
  timings.finished = Clock::time_point(std::chrono::seconds(14));
  EXPECT_DOUBLE_EQ(timings.queue_seconds(), 4.0) << "never started: queued until it ended";
  EXPECT_FALSE(timings.time_to_first_token_seconds().has_value());
  timings.started = Clock::time_point(std::chrono::seconds(11));
  timings.first_token = Clock::time_point(std::chrono::milliseconds(12500));
  EXPECT_DOUBLE_EQ(timings.queue_seconds(), 1.0);
  EXPECT_DOUBLE_EQ(*timings.time_to_first_token_seconds(), 2.5);
  EXPECT_DOUBLE_EQ(timings.end_to_end_seconds(), 4.0);
}

TEST(FinishReason, HasStableNames) {
  EXPECT_EQ(std::string(FinishReasonName(FinishReason::kMaxTokens)), "max_tokens");
  EXPECT_EQ(std::string(FinishReasonName(FinishReason::kStopToken)), "stop_token");
  EXPECT_EQ(std::string(FinishReasonName(FinishReason::kCancelled)), "cancelled");
  EXPECT_EQ(std::string(FinishReasonName(FinishReason::kKvCacheFull)), "kv_cache_full");
  EXPECT_EQ(std::string(FinishReasonName(FinishReason::kError)), "error");
}

}  // namespace
}  // namespace fab::engine
