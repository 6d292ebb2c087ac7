// Executor logprobs: sampled tokens carry the raw log-softmax of their row
// and the best n alternatives; score_next rows are scored against a
// contiguous model::Session that computes every prompt row's logits, also
// when the prompt is split over chunks and batched behind another sequence;
// plans without scoring produce no extra output; malformed requests for
// scores are precise errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "plan_driver.h"
#include "runtime/executor.h"

namespace fab::runtime {
namespace {

// F32 pages differ from Session only in the attention kernels' summation
// order (about 1 ulp), and SmallModel's weights are F32, so no activation is
// quantized to int8 on the way. (With quantized weights that ulp can land an
// activation on an int8 round-half boundary: one code flips, later rows see
// it through attention, and logprobs move by a few hundredths, on every ISA
// for some prompts. That is rounding, not a bug, and why the exactness tests
// here use F32 weights.)
constexpr float kLogprobTolerance = 1e-4f;

std::unique_ptr<Executor> MakeF32Executor(const model::Model& model, ThreadPool& pool) {
  ExecutorOptions options;
  options.n_blocks = 64;
  options.block_size = 16;
  options.max_tokens_per_step = 64;
  options.kv_dtype = KvDType::kF32;
  auto executor = Executor::Create(model, pool, options);
  FAB_CHECK(executor.ok()) << executor.status().ToString();
  return std::move(executor).value();
}

// Sets score_next (every prompt row the chunk may score) and n_top_logprobs
// on the plan's sequence of stream `scored`.
void AskForScores(StepPlan& plan, const Stream& scored, int32_t n_top) {
  for (ScheduledSequence& sequence : plan.sequences) {
    if (sequence.seq_id != scored.id) continue;
    sequence.n_top_logprobs = n_top;
    const int64_t n_scored = std::min(sequence.n_tokens(), scored.n_prompt - 1 - sequence.first_position);
    if (n_scored <= 0) continue;
    sequence.score_next = std::span<const TokenId>(scored.tokens).subspan(
        static_cast<size_t>(sequence.first_position + 1), static_cast<size_t>(n_scored));
  }
}

struct Scored {
  std::vector<PromptScore> prompt;
  std::vector<SampledToken> sampled;  // of the scored stream
};

// Runs the streams with chunks of `chunk` tokens, asking the last stream
// (planned last) for prompt scores and n_top alternatives.
Scored RunScoring(Executor& executor, std::vector<Stream>& streams, int64_t chunk, int32_t n_top) {
  const SeqId scored_id = streams.back().id;
  PlanDriver driver(/*block_size=*/16, chunk, /*budget=*/64);
  Scored scored;
  for (int step = 0; step < 1000; ++step) {
    StepPlan plan = driver.Build(streams);
    if (plan.empty()) break;
    AskForScores(plan, streams.back(), n_top);
    StatusOr<StepResult> result = executor.Execute(plan);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) break;
    for (PromptScore& score : result->prompt_scores) {
      EXPECT_EQ(score.seq_id, scored_id);
      scored.prompt.push_back(std::move(score));
    }
    for (const SampledToken& sampled : result->sampled) {
      if (sampled.seq_id == scored_id) scored.sampled.push_back(sampled);
    }
    PlanDriver::Apply(plan, *result, streams);
  }
  return scored;
}

void ExpectPromptScoresMatchSession(int64_t chunk, bool behind_another_sequence) {
  const model::Model& model = SmallModel("llama");
  ThreadPool pool(2);
  auto executor = MakeF32Executor(model, pool);
  const std::vector<TokenId> prompt = MakePrompt(45, 3);
  std::vector<Stream> streams = {MakeStream(/*id=*/7, prompt, /*n_to_generate=*/3)};
  if (behind_another_sequence) streams.insert(streams.begin(), MakeStream(/*id=*/2, MakePrompt(20, 9), 3));
  const Scored scored = RunScoring(*executor, streams, chunk, /*n_top=*/4);
  const std::vector<std::vector<double>> expected = SessionLogSoftmax(model, pool, prompt);

  ASSERT_EQ(scored.prompt.size(), prompt.size() - 1);
  for (size_t i = 0; i < scored.prompt.size(); ++i) {
    const PromptScore& score = scored.prompt[i];
    const size_t position = i + 1;
    ASSERT_EQ(score.position, static_cast<int64_t>(position));
    EXPECT_EQ(score.token, prompt[position]);
    const std::vector<double>& row = expected[position - 1];
    EXPECT_NEAR(score.logprob, row[static_cast<size_t>(prompt[position])], kLogprobTolerance) << "position " << position;
    ASSERT_EQ(score.top.size(), 4u);
    for (size_t rank = 0; rank < score.top.size(); ++rank) {
      EXPECT_NEAR(score.top[rank].logprob, row[static_cast<size_t>(score.top[rank].token)], kLogprobTolerance);
      if (rank > 0) {
        EXPECT_GE(score.top[rank - 1].logprob, score.top[rank].logprob);
      }
    }
  }
  // The first sampled token follows the last prompt row.
  ASSERT_FALSE(scored.sampled.empty());
  EXPECT_NEAR(scored.sampled[0].logprob, expected.back()[static_cast<size_t>(scored.sampled[0].token)],
              kLogprobTolerance);
}

TEST(ExecutorLogprobs, PromptScoresMatchSessionInOneChunk) { ExpectPromptScoresMatchSession(64, false); }

TEST(ExecutorLogprobs, PromptScoresMatchSessionOverChunksOfSixteen) { ExpectPromptScoresMatchSession(16, false); }

TEST(ExecutorLogprobs, PromptScoresMatchSessionWhenBatchedBehindAnotherSequence) {
  ExpectPromptScoresMatchSession(16, true);
}

TEST(ExecutorLogprobs, GreedyTokenIsTheBestAlternativeWithTheSameLogprob) {
  const model::Model& model = SmallModel("llama");
  ThreadPool pool(2);
  auto executor = MakeF32Executor(model, pool);
  std::vector<Stream> streams = {MakeStream(/*id=*/1, MakePrompt(20, 4), /*n_to_generate=*/6)};
  const Scored scored = RunScoring(*executor, streams, 64, /*n_top=*/5);
  ASSERT_EQ(scored.sampled.size(), 6u);
  for (const SampledToken& sampled : scored.sampled) {
    ASSERT_EQ(sampled.top.size(), 5u);
    EXPECT_EQ(sampled.top[0].token, sampled.token);
    EXPECT_EQ(sampled.top[0].logprob, sampled.logprob);
    double total = 0.0;
    for (size_t rank = 0; rank < sampled.top.size(); ++rank) {
      EXPECT_LE(sampled.top[rank].logprob, 0.0f);
      if (rank > 0) {
        EXPECT_GE(sampled.top[rank - 1].logprob, sampled.top[rank].logprob);
      }
      total += std::exp(static_cast<double>(sampled.top[rank].logprob));
    }
    EXPECT_LE(total, 1.0 + 1e-6);
  }
}

TEST(ExecutorLogprobs, SampledLogprobIsTheRawLogSoftmaxEvenWithABias) {
  const model::Model& model = SmallModel("llama");
  ThreadPool pool(2);
  auto executor = MakeF32Executor(model, pool);
  std::vector<Stream> streams = {MakeStream(/*id=*/1, MakePrompt(20, 5), /*n_to_generate=*/1)};
  streams[0].sampling.logit_bias = {{17, 100.0f}};
  PlanDriver driver(16, 64, 64);
  const StepPlan plan = driver.Build(streams);
  StatusOr<StepResult> result = executor->Execute(plan);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->sampled.size(), 1u);
  EXPECT_EQ(result->sampled[0].token, 17);
  EXPECT_NEAR(result->sampled[0].logprob, LogProbability(executor->last_logits(0), 17), 1e-5f);
  EXPECT_LT(result->sampled[0].logprob, -1.0f);  // not the biased distribution, where it is ~0
}

TEST(ExecutorLogprobs, PlansWithoutScoringReturnNoScoresOrAlternatives) {
  const model::Model& model = SmallModel("llama");
  ThreadPool pool(2);
  auto executor = MakeF32Executor(model, pool);
  std::vector<Stream> streams = {MakeStream(1, MakePrompt(30, 6), 2), MakeStream(2, MakePrompt(10, 7), 2)};
  PlanDriver driver(16, 16, 64);
  for (int step = 0; step < 100; ++step) {
    const StepPlan plan = driver.Build(streams);
    if (plan.empty()) break;
    StatusOr<StepResult> result = executor->Execute(plan);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_TRUE(result->prompt_scores.empty());
    for (const SampledToken& sampled : result->sampled) EXPECT_TRUE(sampled.top.empty());
    PlanDriver::Apply(plan, *result, streams);
  }
}

TEST(ExecutorLogprobs, RejectsMalformedScoringRequests) {
  const model::Model& model = SmallModel("llama");
  ThreadPool pool(2);
  auto executor = MakeF32Executor(model, pool);
  std::vector<Stream> streams = {MakeStream(1, MakePrompt(8, 8), 1)};
  PlanDriver driver(16, 64, 64);
  const StepPlan good = driver.Build(streams);
  ASSERT_TRUE(good.sequences[0].sample);
  const std::vector<TokenId> too_many(8, 5);  // 8 rows, the last of which samples
  const std::vector<TokenId> out_of_vocab = {5, 600000};

  StepPlan plan = good;
  plan.sequences[0].score_next = too_many;
  EXPECT_EQ(executor->Execute(plan).status().code(), StatusCode::kInvalidArgument);
  plan = good;
  plan.sequences[0].score_next = out_of_vocab;
  EXPECT_EQ(executor->Execute(plan).status().code(), StatusCode::kInvalidArgument);
  for (int32_t n_top : {-1, kMaxTopLogprobs + 1}) {
    plan = good;
    plan.sequences[0].n_top_logprobs = n_top;
    const Status status = executor->Execute(plan).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("top logprobs"), std::string::npos) << status.ToString();
  }
  plan = good;
  plan.sequences[0].score_next = std::span<const TokenId>(too_many).first(7);
  plan.sequences[0].n_top_logprobs = kMaxTopLogprobs;
  StatusOr<StepResult> result = executor->Execute(plan);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->prompt_scores.size(), 7u);
  EXPECT_EQ(result->sampled[0].top.size(), static_cast<size_t>(kMaxTopLogprobs));
}

}  // namespace
}  // namespace fab::runtime
