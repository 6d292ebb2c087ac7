// Prompt scoring through the scheduler: a request with prompt_logprobs
// computes its whole prompt even when it is cached (no prefix lookup, no
// waiting for blocks in flight), asks the runtime to score exactly prompt
// positions 1 … n-1 across its chunks, stops scoring once it has a token,
// and still publishes its blocks for later requests. n_top_logprobs reaches
// every plan entry of its request and is range-checked.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

Request ScoringRequest(RequestId id, std::vector<TokenId> prompt, int32_t max_new_tokens, int32_t n_top = 0) {
  Request request = MakeRequest(id, std::move(prompt), max_new_tokens);
  request.prompt_logprobs = true;
  request.n_top_logprobs = n_top;
  return request;
}

// Steps until `id` ends, collecting the positions its plans asked to score.
std::vector<int64_t> ScoredPositions(Scheduler& scheduler, FakeRuntime& runtime, RequestId id,
                                     const std::vector<TokenId>& prompt) {
  std::vector<int64_t> positions;
  for (int step = 0; step < 1000 && scheduler.Snapshot(id); ++step) {
    const StepPlan plan = scheduler.Schedule();
    for (const ScheduledSequence& sequence : plan.sequences) {
      if (sequence.seq_id != id) continue;
      EXPECT_LE(static_cast<int64_t>(sequence.score_next.size()), sequence.n_tokens() - (sequence.sample ? 1 : 0));
      for (size_t i = 0; i < sequence.score_next.size(); ++i) {
        const int64_t position = sequence.first_position + static_cast<int64_t>(i) + 1;
        EXPECT_EQ(sequence.score_next[i], prompt[static_cast<size_t>(position)]) << "position " << position;
        positions.push_back(position);
      }
    }
    scheduler.Update(runtime.Execute(plan));
  }
  return positions;
}

std::vector<int64_t> OneTo(int64_t last) {
  std::vector<int64_t> positions;
  for (int64_t position = 1; position <= last; ++position) positions.push_back(position);
  return positions;
}

TEST(SchedulerPromptLogprobs, ScoresEveryPromptPositionOnceAcrossChunks) {
  const std::vector<TokenId> prompt = MakePrompt(40, 1);
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, /*prefill_chunk=*/16));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(ScoringRequest(1, prompt, 5)).ok());
  EXPECT_EQ(ScoredPositions(scheduler, runtime, 1, prompt), OneTo(39));
}

TEST(SchedulerPromptLogprobs, ComputesACachedPromptAgainAndScoresAllOfIt) {
  const std::vector<TokenId> prompt = MakePrompt(40, 2);
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 64));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, prompt, 2)).ok());
  RunUntilEmpty(scheduler, runtime);

  ASSERT_TRUE(scheduler.Add(ScoringRequest(2, prompt, 2)).ok());
  const StepPlan plan = scheduler.Schedule();
  ASSERT_EQ(plan.sequences.size(), 1u);
  EXPECT_EQ(plan.sequences[0].first_position, 0);
  EXPECT_EQ(plan.sequences[0].n_tokens(), 40);
  EXPECT_EQ(plan.sequences[0].score_next.size(), 39u);
  EXPECT_EQ(scheduler.Snapshot(2)->counters.n_cached_prompt_tokens, 0);
  scheduler.Update(runtime.Execute(plan));
  // After the first token, plans score nothing.
  const StepPlan decode = scheduler.Schedule();
  ASSERT_EQ(decode.sequences.size(), 1u);
  EXPECT_TRUE(decode.sequences[0].score_next.empty());
  scheduler.Update(runtime.Execute(decode));
}

TEST(SchedulerPromptLogprobs, StillPublishesItsBlocksForLaterRequests) {
  const std::vector<TokenId> prompt = MakePrompt(40, 3);
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 64));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(ScoringRequest(1, prompt, 2)).ok());
  RunUntilEmpty(scheduler, runtime);
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, prompt, 2)).ok());
  const StepPlan plan = scheduler.Schedule();
  ASSERT_EQ(plan.sequences.size(), 1u);
  EXPECT_EQ(plan.sequences[0].first_position, 32);
  EXPECT_TRUE(plan.sequences[0].score_next.empty());
  scheduler.Update(runtime.Execute(plan));
}

TEST(SchedulerPromptLogprobs, DoesNotWaitForAPromptBlockAnotherRequestIsComputing) {
  const std::vector<TokenId> prompt = MakePrompt(48, 4);
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 128, 4, 16));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  ASSERT_TRUE(scheduler.Add(MakeRequest(1, prompt, 2)).ok());
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, prompt, 2)).ok());  // waits for request 1's blocks
  ASSERT_TRUE(scheduler.Add(ScoringRequest(3, prompt, 2)).ok());
  const StepPlan plan = scheduler.Schedule();
  std::vector<RequestId> planned;
  for (const ScheduledSequence& sequence : plan.sequences) planned.push_back(sequence.seq_id);
  EXPECT_EQ(planned, (std::vector<RequestId>{1, 3}));
  scheduler.Update(runtime.Execute(plan));
}

TEST(SchedulerPromptLogprobs, RescoresFromTheStartAfterPreemptionBeforeItsFirstToken) {
  // A pool of 6 blocks of 8. Request 1 (batch) computes 40 of its 44 prompt
  // tokens; an interactive request then preempts it, and it recomputes (and
  // rescores) its whole prompt, without prefix hits, once the pool is free.
  const std::vector<TokenId> prompt = MakePrompt(44, 5);
  Scheduler scheduler = MakeScheduler(MakeConfig(48, 8, 64, 4, 40));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 8);
  ASSERT_TRUE(scheduler.Add(ScoringRequest(1, prompt, 1)).ok());
  StepPlan plan = scheduler.Schedule();
  ASSERT_EQ(plan.sequences.size(), 1u);
  std::vector<int64_t> positions;
  for (size_t i = 0; i < plan.sequences[0].score_next.size(); ++i) positions.push_back(static_cast<int64_t>(i) + 1);
  scheduler.Update(runtime.Execute(plan));
  ASSERT_TRUE(scheduler.Add(MakeRequest(2, MakePrompt(20, 6), 1, Priority::kInteractive)).ok());
  plan = scheduler.Schedule();
  const StepOutputs outputs = scheduler.Update(runtime.Execute(plan));
  EXPECT_EQ(outputs.preempted, (std::vector<RequestId>{1}));
  const std::vector<int64_t> rescored = ScoredPositions(scheduler, runtime, 1, prompt);
  positions.insert(positions.end(), rescored.begin(), rescored.end());
  std::vector<int64_t> expected = OneTo(40);
  const std::vector<int64_t> all = OneTo(43);
  expected.insert(expected.end(), all.begin(), all.end());
  EXPECT_EQ(positions, expected);
}

TEST(SchedulerPromptLogprobs, PassesTopLogprobsToEveryPlanEntryAndChecksTheirRange) {
  Scheduler scheduler = MakeScheduler(MakeConfig(1024, 16, 64, 4, 16));
  FakeRuntime runtime(scheduler.kv_cache().n_blocks(), 16);
  Request request = MakeRequest(1, MakePrompt(20, 7), 3);
  request.n_top_logprobs = 3;
  ASSERT_TRUE(scheduler.Add(std::move(request)).ok());
  for (int step = 0; step < 100 && scheduler.Snapshot(1); ++step) {
    const StepPlan plan = scheduler.Schedule();
    for (const ScheduledSequence& sequence : plan.sequences) {
      EXPECT_EQ(sequence.n_top_logprobs, 3);
      EXPECT_TRUE(sequence.score_next.empty());
    }
    scheduler.Update(runtime.Execute(plan));
  }
  for (int32_t n_top : {-1, kMaxTopLogprobs + 1}) {
    Request bad = MakeRequest(2, MakePrompt(5, 8), 1);
    bad.n_top_logprobs = n_top;
    const Status status = scheduler.Add(std::move(bad));
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("n_top_logprobs"), std::string::npos) << status.ToString();
  }
}

}  // namespace
}  // namespace fab::scheduler
