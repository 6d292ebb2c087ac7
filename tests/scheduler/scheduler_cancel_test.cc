// Cancellation: a waiting or running request ends at once and its blocks
// return to the pool; unknown ids are NotFound.
#include <gtest/gtest.h>

#include <vector>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

TEST(SchedulerCancel, RemovesAWaitingRequestBeforeItIsAdmitted) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8, 64, /*max_sequences=*/1));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(8, 1), 3)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(8, 2), 3)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(3, MakePrompt(8, 3), 3)).ok());
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  EXPECT_TRUE(scheduler.Cancel(2).ok());
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{3}));
  const RunOutcome outcome = RunUntilEmpty(scheduler, runtime);
  EXPECT_FALSE(outcome.generated.contains(2));
  EXPECT_EQ(outcome.finished.size(), 2u);
}

TEST(SchedulerCancel, FreesTheBlocksOfARunningRequest) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(30, 1), 50)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(12, 2), 50)).ok());
  for (int step = 0; step < 3; ++step) scheduler.Update(runtime.Execute(scheduler.Schedule()));
  const int32_t used_by_both = scheduler.kv_cache().pool().n_used();
  const int32_t used_by_first = scheduler.kv_cache().table(1).n_blocks();
  EXPECT_TRUE(scheduler.Cancel(1).ok());
  EXPECT_EQ(scheduler.kv_cache().pool().n_used(), used_by_both - used_by_first);
  EXPECT_FALSE(scheduler.kv_cache().HasSequence(1));
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{2}));
  EXPECT_TRUE(scheduler.Cancel(2).ok());
  EXPECT_EQ(scheduler.kv_cache().pool().n_used(), 0);
  EXPECT_TRUE(scheduler.empty());
  EXPECT_EQ(scheduler.Schedule().ended, (std::vector<SeqId>{1, 2}));
}

TEST(SchedulerCancel, IgnoresTheTokenOfARequestCancelledWhileItsStepRan) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(8, 1), 5)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(8, 2), 5)).ok());
  const StepResult result = runtime.Execute(scheduler.Schedule());
  EXPECT_TRUE(scheduler.Cancel(1).ok());
  const StepOutputs outputs = scheduler.Update(result);
  ASSERT_EQ(outputs.tokens.size(), 1u);
  EXPECT_EQ(outputs.tokens[0].seq_id, 2);
  EXPECT_EQ(scheduler.kv_cache().pool().n_used(), scheduler.kv_cache().table(2).n_blocks());
  EXPECT_EQ(scheduler.Schedule().ended, std::vector<SeqId>{1}) << "the runtime still hears of it";
}

TEST(SchedulerCancel, ReportsNotFoundForAnIdThatIsNotLive) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  EXPECT_EQ(scheduler.Cancel(42).code(), StatusCode::kNotFound);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(4, 1), 1)).ok());
  RunUntilEmpty(scheduler, runtime);
  EXPECT_EQ(scheduler.Cancel(1).code(), StatusCode::kNotFound) << "finished requests are no longer live";
}

TEST(SchedulerCancel, AnAbortedStepCommitsNothingAndItsRequestsCanBeCancelled) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(20, 1), 5)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(12, 2), 5)).ok());
  const StepPlan plan = scheduler.Schedule();
  ASSERT_EQ(plan.sequences.size(), 2u);
  const StepOutputs outputs = scheduler.AbortStep();
  EXPECT_TRUE(outputs.tokens.empty());
  EXPECT_TRUE(outputs.finished.empty());
  EXPECT_EQ(scheduler.Snapshot(1)->n_tokens_computed, 0) << "nothing committed";
  EXPECT_EQ(scheduler.kv_cache().table(1).n_tokens_committed(), 0);
  EXPECT_TRUE(scheduler.Cancel(1).ok());
  EXPECT_TRUE(scheduler.Cancel(2).ok());
  EXPECT_EQ(scheduler.kv_cache().pool().n_used(), 0);
  EXPECT_TRUE(scheduler.empty());
  // The scheduler steps on normally afterwards.
  ASSERT_TRUE(scheduler.Add(MakeRequest(3, MakePrompt(12, 3), 4)).ok());
  const RunOutcome outcome = RunUntilEmpty(scheduler, runtime);
  EXPECT_EQ(outcome.generated.at(3).size(), 4u);
}

}  // namespace
}  // namespace fab::scheduler
