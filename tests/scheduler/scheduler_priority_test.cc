// Admission order: premium before interactive before batch, FIFO within a priority; a
// higher priority may preempt a lower one to be admitted, never the reverse.
#include <gtest/gtest.h>

#include <vector>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

// Ids in the order they were first scheduled.
std::vector<RequestId> AdmissionOrder(Scheduler& scheduler, FakeRuntime& runtime) {
  std::vector<RequestId> order;
  for (int step = 0; step < 10000 && !scheduler.empty(); ++step) {
    const StepPlan plan = scheduler.Schedule();
    for (const ScheduledSequence& sequence : plan.sequences) {
      if (std::find(order.begin(), order.end(), sequence.seq_id) == order.end()) order.push_back(sequence.seq_id);
    }
    scheduler.Update(runtime.Execute(plan));
  }
  return order;
}

TEST(SchedulerPriority, AdmitsInteractiveRequestsBeforeEarlierBatchRequests) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8, 64, /*max_sequences=*/1));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(8, 1), 2, Priority::kBatch)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(8, 2), 2, Priority::kBatch)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(3, MakePrompt(8, 3), 2, Priority::kInteractive)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(4, MakePrompt(8, 4), 2, Priority::kInteractive)).ok());
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{3, 4, 1, 2}));
  EXPECT_EQ(AdmissionOrder(scheduler, runtime), (std::vector<RequestId>{3, 4, 1, 2}));
}

TEST(SchedulerPriority, AdmitsPremiumBeforeInteractiveBeforeBatch) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8, 64, /*max_sequences=*/1));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(8, 1), 2, Priority::kBatch)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(8, 2), 2, Priority::kInteractive)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(3, MakePrompt(8, 3), 2, Priority::kPremium)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(4, MakePrompt(8, 4), 2, Priority::kBatch)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(5, MakePrompt(8, 5), 2, Priority::kPremium)).ok());
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{3, 5, 2, 1, 4}));
  EXPECT_EQ(AdmissionOrder(scheduler, runtime), (std::vector<RequestId>{3, 5, 2, 1, 4}));
}

TEST(SchedulerPriority, APremiumArrivalPreemptsRunningInteractiveRequestsNeverTheReverse) {
  Scheduler scheduler = MakeScheduler(MakeConfig(64, 8, 64, 4, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(24, 1), 8, Priority::kInteractive)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(24, 2), 8, Priority::kInteractive)).ok());
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  ASSERT_EQ(scheduler.n_running(), 2);
  ASSERT_TRUE(scheduler.Add(MakeRequest(3, MakePrompt(20, 3), 2, Priority::kPremium)).ok());
  const StepPlan plan = scheduler.Schedule();
  ASSERT_TRUE(CheckSchedulerInvariants(scheduler, plan));
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{3, 1}));
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{2}));
}

TEST(SchedulerPriority, KeepsArrivalOrderWithinAPriority) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8, 64, /*max_sequences=*/2));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  const std::vector<RequestId> ids = {7, 3, 9, 1, 5};
  for (RequestId id : ids) ASSERT_TRUE(scheduler.Add(MakeRequest(id, MakePrompt(8, static_cast<uint32_t>(id)), 3)).ok());
  EXPECT_EQ(AdmissionOrder(scheduler, runtime), ids);
}

TEST(SchedulerPriority, InteractiveArrivalPreemptsTheLatestRunningBatchRequest) {
  // 8 blocks of 8 tokens: two batch requests of 24-token prompts fill 6 blocks
  // and grow; an interactive request needing 3 blocks then needs a victim.
  Scheduler scheduler = MakeScheduler(MakeConfig(64, 8, 64, 4, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(24, 1), 8, Priority::kBatch)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(24, 2), 8, Priority::kBatch)).ok());
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  ASSERT_EQ(scheduler.n_running(), 2);
  ASSERT_TRUE(scheduler.Add(MakeRequest(3, MakePrompt(20, 3), 2, Priority::kInteractive)).ok());
  const StepPlan plan = scheduler.Schedule();
  ASSERT_TRUE(CheckSchedulerInvariants(scheduler, plan));
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{3, 1}));
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{2}));
  const StepOutputs outputs = scheduler.Update(runtime.Execute(plan));
  EXPECT_EQ(outputs.preempted, (std::vector<RequestId>{2}));
  const RunOutcome outcome = RunUntilEmpty(scheduler, runtime);
  EXPECT_EQ(outcome.finished.size(), 3u);
}

TEST(SchedulerPriority, BatchArrivalNeverPreemptsARunningRequest) {
  Scheduler scheduler = MakeScheduler(MakeConfig(64, 8, 64, 4, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(40, 1), 4, Priority::kInteractive)).ok());
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  scheduler.Update(runtime.Execute(scheduler.Schedule()));
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(30, 2), 4, Priority::kBatch)).ok());
  const StepPlan plan = scheduler.Schedule();
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{1}));
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{2}));
  EXPECT_TRUE(scheduler.Update(runtime.Execute(plan)).preempted.empty());
  const RunOutcome outcome = RunUntilEmpty(scheduler, runtime);
  EXPECT_EQ(outcome.finished.size(), 2u);
  EXPECT_EQ(outcome.n_preemptions, 0);
}

}  // namespace
}  // namespace fab::scheduler
