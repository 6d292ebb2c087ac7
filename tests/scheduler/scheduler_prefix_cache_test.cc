// Prefix caching through the scheduler: a prompt whose leading blocks are
// cached starts computing after them, and still generates the same tokens;
// requests arriving together with a shared prefix wait for the first one to
// commit it rather than compute it again, without holding up others.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

std::vector<TokenId> Concat(std::vector<TokenId> head, const std::vector<TokenId>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

TEST(SchedulerPrefixCache, SkipsThePromptPrefixAnEarlierRequestComputed) {
  const std::vector<TokenId> system_prompt = MakePrompt(64, 1);
  const std::vector<TokenId> second_prompt = Concat(system_prompt, MakePrompt(10, 2));
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, Concat(system_prompt, MakePrompt(5, 3)), 4)).ok());
  RunUntilEmpty(scheduler, runtime);

  ASSERT_TRUE(scheduler.Add(MakeRequest(2, second_prompt, 6)).ok());
  const StepPlan plan = scheduler.Schedule();
  ASSERT_EQ(plan.sequences.size(), 1u);
  EXPECT_EQ(plan.sequences[0].first_position, 64);
  EXPECT_EQ(plan.sequences[0].n_tokens(), 10);
  EXPECT_TRUE(plan.sequences[0].sample);
  EXPECT_EQ(scheduler.Snapshot(2)->counters.n_cached_prompt_tokens, 64);
  scheduler.Update(runtime.Execute(plan));
  const RunOutcome rest = RunUntilEmpty(scheduler, runtime);
  EXPECT_EQ(rest.generated.at(2).size(), 5u);

  // The same prompt on a cold cache computes all 74 tokens and samples the same.
  Scheduler cold = MakeScheduler(MakeConfig(1024, 16, 64, 4, 32));
  FakeRuntime cold_runtime(cold.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(cold.Add(MakeRequest(2, second_prompt, 6)).ok());
  const RunOutcome cold_outcome = RunUntilEmpty(cold, cold_runtime);
  const std::vector<TokenId>& cold_tokens = cold_outcome.generated.at(2);
  EXPECT_EQ(std::vector<TokenId>(cold_tokens.begin() + 1, cold_tokens.end()), rest.generated.at(2));
}

TEST(SchedulerPrefixCache, LeavesAtLeastTheLastPromptTokenToCompute) {
  const std::vector<TokenId> prompt = MakePrompt(32, 4);  // exactly two blocks
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, prompt, 1)).ok());
  RunUntilEmpty(scheduler, runtime);
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, prompt, 1)).ok());
  const StepPlan plan = scheduler.Schedule();
  ASSERT_EQ(plan.sequences.size(), 1u);
  EXPECT_EQ(plan.sequences[0].first_position, 16);
  EXPECT_EQ(plan.sequences[0].n_tokens(), 16);
  EXPECT_TRUE(plan.sequences[0].sample);
  scheduler.Update(runtime.Execute(plan));
}

// Two requests sharing a 64-token prefix (four blocks of 16), added in the
// same step: the second is held back while the first computes the prefix in
// chunks of 32, then reuses all four blocks. A third request with another
// prompt, queued behind the held one, is admitted at once.
TEST(SchedulerPrefixCache, HoldsBackARequestWhosePrefixIsBeingComputed) {
  const std::vector<TokenId> system_prompt = MakePrompt(64, 1);
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, Concat(system_prompt, MakePrompt(5, 3)), 4)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, Concat(system_prompt, MakePrompt(10, 2)), 4)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(3, MakePrompt(8, 4), 4)).ok());

  const StepPlan first = scheduler.Schedule();
  ASSERT_TRUE(CheckSchedulerInvariants(scheduler, first));
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{1, 3}));
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{2}));
  scheduler.Update(runtime.Execute(first));
  const RunOutcome rest = RunUntilEmpty(scheduler, runtime);
  EXPECT_EQ(rest.finished.size(), 3u);
  EXPECT_EQ(rest.generated.at(2).size(), 4u);

  // Request 2's outputs are those of a cold run, and it computed only its tail.
  Scheduler cold = MakeScheduler(MakeConfig(1024, 16, 64, 4, 32));
  FakeRuntime cold_runtime(cold.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(cold.Add(MakeRequest(2, Concat(system_prompt, MakePrompt(10, 2)), 4)).ok());
  EXPECT_EQ(RunUntilEmpty(cold, cold_runtime).generated.at(2), rest.generated.at(2));
}

TEST(SchedulerPrefixCache, TheHeldRequestCountsEverySharedFullBlockAsCached) {
  const std::vector<TokenId> system_prompt = MakePrompt(64, 1);
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, Concat(system_prompt, MakePrompt(5, 3)), 4)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, Concat(system_prompt, MakePrompt(10, 2)), 4)).ok());
  std::optional<RequestSnapshot> second;
  for (int step = 0; step < 100 && scheduler.Snapshot(2)->phase == RequestPhase::kWaiting; ++step) {
    const StepPlan plan = scheduler.Schedule();
    ASSERT_TRUE(CheckSchedulerInvariants(scheduler, plan));
    scheduler.Update(runtime.Execute(plan));
  }
  second = scheduler.Snapshot(2);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->phase, RequestPhase::kRunning);
  EXPECT_EQ(second->counters.n_cached_prompt_tokens, 64);
  EXPECT_EQ(scheduler.Snapshot(1)->counters.n_cached_prompt_tokens, 0);
}

TEST(SchedulerPrefixCache, DoesNotHoldBackARequestUnderAnotherSalt) {
  const std::vector<TokenId> system_prompt = MakePrompt(64, 1);
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 32));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, Concat(system_prompt, MakePrompt(5, 3)), 4)).ok());
  Request salted = MakeRequest(2, Concat(system_prompt, MakePrompt(10, 2)), 4);
  salted.cache_salt = 99;
  ASSERT_TRUE(scheduler.Add(std::move(salted)).ok());
  const StepPlan plan = scheduler.Schedule();
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{1, 2}));
  scheduler.Update(runtime.Execute(plan));
  RunUntilEmpty(scheduler, runtime);
}

TEST(SchedulerPrefixCache, AdmitsAHeldRequestOnceItsPrefixDiverges) {
  // Request 2 shares only the first block of request 1's four.
  const std::vector<TokenId> prompt = MakePrompt(64, 1);
  std::vector<TokenId> second_prompt(prompt.begin(), prompt.begin() + 16);
  second_prompt = Concat(second_prompt, MakePrompt(40, 5));
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 16));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, Concat(prompt, MakePrompt(3, 3)), 4)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, second_prompt, 4)).ok());
  scheduler.Update(runtime.Execute(scheduler.Schedule()));  // request 1 commits block 0
  EXPECT_EQ(scheduler.WaitingIds(), (std::vector<RequestId>{2}));
  scheduler.Update(runtime.Execute(scheduler.Schedule()));  // request 2 starts after it
  EXPECT_EQ(scheduler.RunningIds(), (std::vector<RequestId>{1, 2}));
  EXPECT_EQ(scheduler.Snapshot(2)->counters.n_cached_prompt_tokens, 16);
  RunUntilEmpty(scheduler, runtime);
}

}  // namespace
}  // namespace fab::scheduler
