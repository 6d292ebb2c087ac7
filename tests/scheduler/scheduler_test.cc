// Continuous batching: decodes first, chunked prefill within the token
// budget, sampling only at the end of the known tokens, finishing.
#include "scheduler/scheduler.h"

#include <gtest/gtest.h>

#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

const ScheduledSequence* FindInPlan(const StepPlan& plan, RequestId id) {
  for (const ScheduledSequence& sequence : plan.sequences) {
    if (sequence.seq_id == id) return &sequence;
  }
  return nullptr;
}

TEST(Scheduler, GivesEveryDecoderOneTokenEachStepWhileALongPromptPrefills) {
  constexpr int64_t kChunk = 32;
  Scheduler scheduler = MakeScheduler(MakeConfig(4096, 16, /*max_tokens_per_step=*/64, 8, kChunk));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  for (RequestId id = 1; id <= 4; ++id) ASSERT_TRUE(scheduler.Add(MakeRequest(id, MakePrompt(8, id), 500)).ok());
  // Let the four finish their prompts and start decoding.
  for (int step = 0; step < 3; ++step) scheduler.Update(runtime.Execute(scheduler.Schedule()));
  for (RequestId id = 1; id <= 4; ++id) ASSERT_GT(scheduler.Snapshot(id)->counters.n_generated, 0);

  ASSERT_TRUE(scheduler.Add(MakeRequest(99, MakePrompt(1000, 99), 4)).ok());
  int64_t n_prefill_steps = 0;
  while (scheduler.Snapshot(99)->counters.n_generated == 0 && n_prefill_steps < 1000) {
    const StepPlan plan = scheduler.Schedule();
    ASSERT_TRUE(CheckSchedulerInvariants(scheduler, plan));
    for (RequestId id = 1; id <= 4; ++id) {
      const ScheduledSequence* decoder = FindInPlan(plan, id);
      ASSERT_NE(decoder, nullptr) << "decoder " << id << " skipped a step";
      EXPECT_EQ(decoder->n_tokens(), 1);
      EXPECT_TRUE(decoder->sample);
    }
    const ScheduledSequence* prompt = FindInPlan(plan, 99);
    ASSERT_NE(prompt, nullptr);
    EXPECT_LE(prompt->n_tokens(), kChunk);
    EXPECT_EQ(plan.sequences.front().seq_id, 1) << "decodes come before prefill chunks";
    scheduler.Update(runtime.Execute(plan));
    ++n_prefill_steps;
  }
  EXPECT_EQ(n_prefill_steps, (1000 + kChunk - 1) / kChunk);
}

TEST(Scheduler, NeverExceedsTheTokenBudgetAndFillsItWhilePromptsWait) {
  constexpr int64_t kBudget = 48;
  Scheduler scheduler = MakeScheduler(MakeConfig(8192, 8, kBudget, 16, /*prefill_chunk=*/20));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  for (RequestId id = 1; id <= 12; ++id) {
    ASSERT_TRUE(scheduler.Add(MakeRequest(id, MakePrompt(30 + 7 * id, static_cast<uint32_t>(id)), 10)).ok());
  }
  int n_full_steps = 0;
  for (int step = 0; step < 10000 && !scheduler.empty(); ++step) {
    const bool prompts_waiting = scheduler.n_waiting() > 0;
    const StepPlan plan = scheduler.Schedule();
    ASSERT_LE(plan.n_tokens(), kBudget);
    if (prompts_waiting && plan.n_tokens() == kBudget) ++n_full_steps;
    if (prompts_waiting) {
      EXPECT_GT(plan.n_tokens(), kBudget - 20) << "budget left unused while prompts wait";
    }
    scheduler.Update(runtime.Execute(plan));
  }
  EXPECT_GT(n_full_steps, 0);
  EXPECT_TRUE(scheduler.empty());
}

TEST(Scheduler, SamplesOnlyWhenAChunkReachesTheLastPromptToken) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 8, 64, 4, /*prefill_chunk=*/10));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(25, 1), 3)).ok());
  const std::vector<int64_t> expected_chunks = {10, 10, 5, 1, 1};
  const std::vector<bool> expected_sample = {false, false, true, true, true};
  for (size_t step = 0; step < expected_chunks.size(); ++step) {
    const StepPlan plan = scheduler.Schedule();
    ASSERT_EQ(plan.sequences.size(), 1u);
    EXPECT_EQ(plan.sequences[0].n_tokens(), expected_chunks[step]) << "step " << step;
    EXPECT_EQ(plan.sequences[0].sample, expected_sample[step]) << "step " << step;
    EXPECT_EQ(plan.sequences[0].first_position, step < 3 ? 10 * static_cast<int64_t>(step) : 22 + int64_t(step));
    scheduler.Update(runtime.Execute(plan));
  }
  EXPECT_TRUE(scheduler.empty());
}

TEST(Scheduler, FinishesAfterExactlyMaxNewTokensAndFreesEveryBlock) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  for (RequestId id = 1; id <= 5; ++id) {
    ASSERT_TRUE(scheduler.Add(MakeRequest(id, MakePrompt(5 * id, static_cast<uint32_t>(id)), static_cast<int32_t>(3 * id))).ok());
  }
  const RunOutcome outcome = RunUntilEmpty(scheduler, runtime);
  for (RequestId id = 1; id <= 5; ++id) {
    EXPECT_EQ(outcome.generated.at(id).size(), static_cast<size_t>(3 * id));
    EXPECT_EQ(outcome.finished.at(id), FinishReason::kMaxTokens);
  }
  EXPECT_EQ(scheduler.kv_cache().pool().n_used(), 0);
}

TEST(Scheduler, EndsARequestAtItsStopToken) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024));
  constexpr TokenId kEndOfText = 2;
  // Request 1 emits kEndOfText as its third token; request 2 has no stop tokens.
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8, [](SeqId, int64_t position, std::span<const TokenId>) {
    return position == 12 ? kEndOfText : TokenId{500};
  });
  Request stopping = MakeRequest(1, MakePrompt(10, 1), 50);
  stopping.stop_tokens = {kEndOfText, 3};
  ASSERT_TRUE(scheduler.Add(stopping).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(10, 2), 5)).ok());
  const RunOutcome outcome = RunUntilEmpty(scheduler, runtime);
  EXPECT_EQ(outcome.finished.at(1), FinishReason::kStopToken);
  EXPECT_EQ(outcome.generated.at(1), (std::vector<TokenId>{500, 500, kEndOfText}));
  EXPECT_EQ(outcome.finished.at(2), FinishReason::kMaxTokens);
  EXPECT_EQ(outcome.generated.at(2).size(), 5u);
}

TEST(Scheduler, ListsEndedSequencesInTheNextPlanForTheRuntime) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, MakePrompt(4, 1), 1)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(4, 2), 3)).ok());
  const StepOutputs outputs = scheduler.Update(runtime.Execute(scheduler.Schedule()));
  ASSERT_EQ(outputs.finished.size(), 1u);
  EXPECT_EQ(outputs.finished[0].id, 1);
  const StepPlan next = scheduler.Schedule();
  EXPECT_EQ(next.ended, std::vector<SeqId>{1});
  scheduler.Update(runtime.Execute(next));
  EXPECT_TRUE(scheduler.Schedule().ended.empty());
}

TEST(Scheduler, ReturnsAnEmptyPlanWhenIdle) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024));
  const StepPlan plan = scheduler.Schedule();
  EXPECT_TRUE(plan.empty());
  EXPECT_TRUE(scheduler.Update({}).tokens.empty());
}

}  // namespace
}  // namespace fab::scheduler
