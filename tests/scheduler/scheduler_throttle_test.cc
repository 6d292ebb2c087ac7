// The power throttle: deferred priorities are neither admitted nor
// scheduled but keep their place and their KV, interactive sequences run
// every k-th step, premium every step, and lifting the throttle resumes
// everyone where they were.
#include "scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <map>

#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

// How many steps in `n_steps` each request was in the plan.
std::map<RequestId, int> Appearances(Scheduler& scheduler, FakeRuntime& runtime, int n_steps) {
  std::map<RequestId, int> seen;
  for (int step = 0; step < n_steps; ++step) {
    const StepPlan plan = scheduler.Schedule();
    EXPECT_TRUE(CheckSchedulerInvariants(scheduler, plan));
    for (const ScheduledSequence& sequence : plan.sequences) ++seen[sequence.seq_id];
    scheduler.Update(runtime.Execute(plan));
  }
  return seen;
}

TEST(SchedulerThrottle, DefersBatchSlowsInteractiveAndKeepsPremiumEveryStep) {
  Scheduler scheduler = MakeScheduler(MakeConfig(4096, 16, 256, 16, 64));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(8, 1), 1000, Priority::kPremium)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(8, 2), 1000, Priority::kInteractive)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(3, MakePrompt(8, 3), 1000, Priority::kBatch)).ok());
  Appearances(scheduler, runtime, 2);  // all three are decoding
  const int64_t batch_kv = scheduler.Snapshot(3)->n_tokens_computed;
  ASSERT_GT(batch_kv, 0);

  scheduler.SetThrottle(Throttle{/*lowest_rank=*/1, /*interactive_every=*/2});
  ASSERT_TRUE(scheduler.Add(MakeRequest(4, MakePrompt(8, 4), 10, Priority::kBatch)).ok());
  std::map<RequestId, int> seen = Appearances(scheduler, runtime, 20);
  EXPECT_EQ(seen[1], 20) << "premium runs every step";
  EXPECT_EQ(seen[2], 10) << "interactive every 2nd step";
  EXPECT_EQ(seen[3], 0) << "running batch is paused";
  EXPECT_EQ(seen[4], 0) << "waiting batch is not admitted";
  EXPECT_EQ(scheduler.n_deferred(), 2);
  EXPECT_EQ(scheduler.Snapshot(3)->n_tokens_computed, batch_kv) << "a paused request keeps its KV";
  EXPECT_EQ(scheduler.Snapshot(4)->phase, RequestPhase::kWaiting);

  scheduler.SetThrottle(Throttle{});
  seen = Appearances(scheduler, runtime, 6);
  EXPECT_EQ(seen[2], 6);
  EXPECT_EQ(seen[3], 6) << "lifting the throttle resumes the paused request";
  EXPECT_GT(seen[4], 0) << "and admits the waiting one";
  EXPECT_EQ(scheduler.n_deferred(), 0);
}

TEST(SchedulerThrottle, AdmitsSlowedInteractiveRequestsOnlyOnTheStepsTheyRun) {
  Scheduler scheduler = MakeScheduler(MakeConfig(4096, 16, 256, 16, 64));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  scheduler.SetThrottle(Throttle{/*lowest_rank=*/1, /*interactive_every=*/2});
  int n_nonempty = 0;
  for (RequestId id = 1; id <= 8; ++id) {
    // A new interactive request arrives before every step; on an off step it must wait.
    ASSERT_TRUE(scheduler.Add(MakeRequest(id, MakePrompt(8, static_cast<uint32_t>(id)), 100, Priority::kInteractive)).ok());
    const StepPlan plan = scheduler.Schedule();
    n_nonempty += plan.empty() ? 0 : 1;
    scheduler.Update(runtime.Execute(plan));
  }
  EXPECT_EQ(n_nonempty, 4) << "interactive work, admissions included, runs every 2nd step only";
}

TEST(SchedulerThrottle, AnEmptyPlanWhenEverythingLiveIsDeferred) {
  Scheduler scheduler = MakeScheduler(MakeConfig(4096, 16, 256, 16, 64));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  scheduler.SetThrottle(Throttle{/*lowest_rank=*/0, 1});
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(8, 1), 5, Priority::kBatch)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(8, 2), 5, Priority::kInteractive)).ok());
  const StepPlan plan = scheduler.Schedule();
  EXPECT_TRUE(plan.empty());
  scheduler.Update(runtime.Execute(plan));
  EXPECT_FALSE(scheduler.empty());
  EXPECT_EQ(scheduler.n_deferred(), 2);
}

}  // namespace
}  // namespace fab::scheduler
