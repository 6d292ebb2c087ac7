// Configuration and request validation: outside values get a Status naming
// the field, never a crash.
#include <gtest/gtest.h>

#include <string>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

void ExpectInvalid(const SchedulerConfig& config, const std::string& field) {
  const StatusOr<Scheduler> scheduler = Scheduler::Create(config);
  ASSERT_FALSE(scheduler.ok());
  EXPECT_EQ(scheduler.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(scheduler.status().message().find(field), std::string::npos) << scheduler.status().message();
}

TEST(SchedulerConfig, RejectsLimitsOutOfRangeNamingTheField) {
  ExpectInvalid(MakeConfig(1024, 8, /*max_tokens_per_step=*/0), "max_tokens_per_step");
  ExpectInvalid(MakeConfig(1024, 8, 64, /*max_sequences=*/0), "max_sequences");
  ExpectInvalid(MakeConfig(1024, 8, 64, /*max_sequences=*/65), "max_sequences");
  ExpectInvalid(MakeConfig(1024, 8, 64, 16, /*prefill_chunk=*/0), "prefill_chunk");
  ExpectInvalid(MakeConfig(1024, 8, 64, 16, /*prefill_chunk=*/65), "prefill_chunk");
  ExpectInvalid(MakeConfig(/*capacity_tokens=*/4, 8), "capacity_tokens");
  EXPECT_TRUE(Scheduler::Create(MakeConfig(1024)).ok());
}

TEST(SchedulerConfig, RejectsMalformedRequestsWithoutChangingState) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024));
  EXPECT_EQ(scheduler.Add(MakeRequest(1, {}, 4)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(scheduler.Add(MakeRequest(1, MakePrompt(4, 1), 0)).code(), StatusCode::kInvalidArgument);
  Request bad_sampling = MakeRequest(1, MakePrompt(4, 1), 4);
  bad_sampling.sampling.top_p = -1.0f;
  EXPECT_EQ(bad_sampling.sampling.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(scheduler.Add(bad_sampling).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(scheduler.empty());
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(4, 1), 4)).ok());
  EXPECT_EQ(scheduler.Add(MakeRequest(1, MakePrompt(4, 1), 4)).code(), StatusCode::kInvalidArgument)
      << "ids are unique among live requests";
  EXPECT_EQ(scheduler.n_waiting(), 1);
}

}  // namespace
}  // namespace fab::scheduler
