// Prefix caching through the scheduler: a prompt whose leading blocks are
// cached starts computing after them, and still generates the same tokens.
#include <gtest/gtest.h>

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
  const runtime::StepPlan plan = scheduler.Schedule();
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
  const runtime::StepPlan plan = scheduler.Schedule();
  ASSERT_EQ(plan.sequences.size(), 1u);
  EXPECT_EQ(plan.sequences[0].first_position, 16);
  EXPECT_EQ(plan.sequences[0].n_tokens(), 16);
  EXPECT_TRUE(plan.sequences[0].sample);
  scheduler.Update(runtime.Execute(plan));
}

}  // namespace
}  // namespace fab::scheduler
