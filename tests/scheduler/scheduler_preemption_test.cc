// Preemption by recompute: when blocks run out, the lowest-priority, most
// recently arrived running request gives its blocks back and later recomputes
// its prompt and generated tokens; outputs do not change.
#include <gtest/gtest.h>

#include <vector>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

void AddMixedRequests(Scheduler& scheduler) {
  for (RequestId id = 1; id <= 10; ++id) {
    const Priority priority = id % 3 == 0 ? Priority::kInteractive : Priority::kBatch;
    const int64_t n_prompt = 10 + (id * 13) % 50;
    ASSERT_TRUE(scheduler.Add(MakeRequest(id, MakePrompt(n_prompt, static_cast<uint32_t>(id)), 25 + static_cast<int32_t>(id), priority)).ok());
  }
}

TEST(SchedulerPreemption, TinyPoolGivesEveryRequestTheSameTokensAsALargePool) {
  Scheduler large = MakeScheduler(MakeConfig(1 << 14, 8, 64, 16, 16));
  FakeRuntime large_runtime(large.kv_cache().n_blocks(), 8);
  AddMixedRequests(large);
  const RunOutcome reference = RunUntilEmpty(large, large_runtime);
  EXPECT_EQ(reference.n_preemptions, 0);

  Scheduler tiny = MakeScheduler(MakeConfig(96, 8, 64, 16, 16));
  FakeRuntime tiny_runtime(tiny.kv_cache().n_blocks(), 8);
  AddMixedRequests(tiny);
  const RunOutcome outcome = RunUntilEmpty(tiny, tiny_runtime);
  EXPECT_GT(outcome.n_preemptions, 5) << "the pool was meant to force preemption";
  for (RequestId id = 1; id <= 10; ++id) {
    EXPECT_EQ(outcome.finished.at(id), FinishReason::kMaxTokens);
    EXPECT_EQ(outcome.generated.at(id).size(), static_cast<size_t>(25 + id));
    EXPECT_EQ(outcome.generated.at(id), reference.generated.at(id)) << "request " << id;
  }
  EXPECT_EQ(tiny.kv_cache().pool().n_used(), 0);
}

TEST(SchedulerPreemption, PreemptsTheMostRecentLowestPriorityRequestAndRequeuesItAtTheHead) {
  // 6 blocks of 4 tokens; three batch requests of 7 prompt tokens take 2 blocks
  // each and all need a third block on the second decode step.
  Scheduler scheduler = MakeScheduler(MakeConfig(24, 4, 64, 8, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 4);
  for (RequestId id = 1; id <= 3; ++id) ASSERT_TRUE(scheduler.Add(MakeRequest(id, MakePrompt(7, static_cast<uint32_t>(id)), 6)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(4, MakePrompt(3, 4), 2)).ok());  // waits: max_sequences is not the limit, blocks are
  scheduler.Update(runtime.Execute(scheduler.Schedule()));  // prompts: positions 0..6
  scheduler.Update(runtime.Execute(scheduler.Schedule()));  // decode position 7
  const StepPlan plan = scheduler.Schedule();      // position 8 needs a third block each
  ASSERT_TRUE(CheckSchedulerInvariants(scheduler, plan));
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{1, 2}));
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{3, 4}));
  const StepOutputs outputs = scheduler.Update(runtime.Execute(plan));
  EXPECT_EQ(outputs.preempted, (std::vector<RequestId>{3}));
  EXPECT_EQ(scheduler.Snapshot(3)->counters.n_preemptions, 1);
  EXPECT_EQ(scheduler.Snapshot(3)->n_tokens, 9) << "7 prompt + 2 generated tokens to recompute";
  const RunOutcome outcome = RunUntilEmpty(scheduler, runtime);
  EXPECT_EQ(outcome.generated.at(3).size(), 4u) << "the 2 tokens before preemption were already reported";
  EXPECT_EQ(outcome.finished.size(), 4u);
}

TEST(SchedulerPreemption, PreemptsAnEarlierBatchRequestRatherThanALaterInteractiveOne) {
  // 4 blocks of 4 tokens: both 7-token prompts need a third block at position 8.
  Scheduler scheduler = MakeScheduler(MakeConfig(16, 4, 64, 8, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 4);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(7, 1), 6, Priority::kBatch)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(7, 2), 6, Priority::kInteractive)).ok());
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  ASSERT_EQ(scheduler.n_running(), 2);
  const StepPlan plan = scheduler.Schedule();
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{2}));
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{1}));
  EXPECT_EQ(scheduler.Update(runtime.Execute(plan)).preempted, (std::vector<RequestId>{1}));
  EXPECT_EQ(RunUntilEmpty(scheduler, runtime).finished.size(), 2u);
}

TEST(SchedulerPreemption, RejectsAPromptLongerThanTheWholePool) {
  Scheduler scheduler = MakeScheduler(MakeConfig(64, 8));
  const Status status = scheduler.Add(MakeRequest(1, MakePrompt(65, 1), 1));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("exceeds the whole KV cache pool of 64 tokens"), std::string::npos)
      << status.message();
  EXPECT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(64, 2), 1)).ok());
}

TEST(SchedulerPreemption, FinishesARequestThatOutgrowsThePoolWhileRunningAlone) {
  Scheduler scheduler = MakeScheduler(MakeConfig(32, 8));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(20, 1), 100)).ok());
  const RunOutcome outcome = RunUntilEmpty(scheduler, runtime, 1000);
  EXPECT_EQ(outcome.finished.at(1), FinishReason::kKvCacheFull);
  EXPECT_EQ(outcome.generated.at(1).size(), 13u) << "positions 20..31 hold KV; the 13th token has no slot";
  EXPECT_EQ(scheduler.kv_cache().pool().n_used(), 0);
}

}  // namespace
}  // namespace fab::scheduler
