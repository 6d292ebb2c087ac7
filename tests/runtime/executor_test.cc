// Executor: the batched, paged forward pass reproduces model::Session. One
// sequence fed in the same chunks gives the same logits (within F16 or Q8_0
// KV rounding) and the same greedy tokens; a batch of 12 sequences with
// prefill chunks of 16 mixed with decodes gives every sequence the tokens it
// gets alone (with every KV dtype); a prefix shared through block tables gives the same tokens as an
// unshared one; malformed plans are precise errors, not crashes.
#include "runtime/executor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "plan_driver.h"

namespace fab::runtime {
namespace {

// Largest |logit difference| against Session: F32 pages differ only in the
// attention's key-chunk order; F16 pages add half-precision rounding of K/V.
// On these random-weight models logits reach about ±15; F16 keys shift them
// by up to about 0.12 (llama) and 0.4 (qwen2, whose K biases make keys large).
constexpr float kF32LogitTolerance = 1e-3f;
constexpr float kF16LlamaLogitTolerance = 0.25f;
constexpr float kF16Qwen2LogitTolerance = 0.6f;
// Q8_0 pages round K/V to half a step of max|x| / 127 per 32 values; on these
// models that moved logits by up to 0.13 (llama) and 0.42 (qwen2), close to
// F16's 0.11 / 0.4 (measured on these random-weight models, not derived).
constexpr float kQ8LlamaLogitTolerance = 0.3f;
constexpr float kQ8Qwen2LogitTolerance = 0.8f;

std::unique_ptr<Executor> MakeExecutor(const model::Model& model, ThreadPool& pool, KvDType dtype,
                                       int32_t block_size = 16, int64_t n_blocks = 256, int64_t max_tokens = 64) {
  ExecutorOptions options;
  options.n_blocks = n_blocks;
  options.block_size = block_size;
  options.max_tokens_per_step = max_tokens;
  options.kv_dtype = dtype;
  auto executor = Executor::Create(model, pool, options);
  FAB_CHECK(executor.ok()) << executor.status().ToString();
  return std::move(executor).value();
}

float MaxAbsDifference(std::span<const float> a, std::span<const float> b) {
  float max = 0.0f;
  for (size_t i = 0; i < a.size(); ++i) max = std::max(max, std::fabs(a[i] - b[i]));
  return max;
}

float TopTwoGap(std::span<const float> logits) {
  float first = -INFINITY, second = -INFINITY;
  for (float logit : logits) {
    if (logit > first) {
      second = first;
      first = logit;
    } else if (logit > second) {
      second = logit;
    }
  }
  return first - second;
}

// Feeds one prompt in chunks of 16 and then decodes, stepping Session with
// the same chunks, and compares logits and greedy tokens at every sample.
void ExpectSingleSequenceMatchesSession(const std::string& arch, KvDType dtype, float tolerance) {
  const model::Model& model = SmallModel(arch);
  ThreadPool pool(2);
  auto executor = MakeExecutor(model, pool, dtype, /*block_size=*/8);
  model::Session session(model, pool);
  std::vector<Stream> streams = {MakeStream(/*id=*/3, MakePrompt(45, 1), /*n_to_generate=*/40)};
  PlanDriver driver(/*block_size=*/8, /*chunk=*/16, /*budget=*/64, /*first_free_block=*/5);
  for (int step = 0; !streams[0].done(); ++step) {
    ASSERT_LT(step, 1000);
    const StepPlan plan = driver.Build(streams);
    ASSERT_EQ(plan.sequences.size(), 1u);
    ASSERT_TRUE(session.Eval(plan.sequences[0].tokens).ok());
    StatusOr<StepResult> result = executor->Execute(plan);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    if (plan.sequences[0].sample) {
      ASSERT_EQ(result->sampled.size(), 1u);
      EXPECT_LE(MaxAbsDifference(executor->last_logits(0), session.logits()), tolerance) << "step " << step;
      // Greedy tokens must agree wherever the runner-up is further away than
      // twice the tolerance (with F32 pages: everywhere that is not a tie).
      if (TopTwoGap(session.logits()) > 2 * tolerance) {
        EXPECT_EQ(result->sampled[0].token, ArgMax(session.logits())) << "step " << step;
      }
      EXPECT_LE(result->sampled[0].logprob, 0.0f);
    } else {
      EXPECT_TRUE(result->sampled.empty());
    }
    PlanDriver::Apply(plan, *result, streams);
  }
}

TEST(Executor, OneLlamaSequenceMatchesSessionWithF32Pages) {
  ExpectSingleSequenceMatchesSession("llama", KvDType::kF32, kF32LogitTolerance);
}

TEST(Executor, OneLlamaSequenceMatchesSessionWithF16Pages) {
  ExpectSingleSequenceMatchesSession("llama", KvDType::kF16, kF16LlamaLogitTolerance);
}

TEST(Executor, OneLlamaSequenceMatchesSessionWithQ8Pages) {
  ExpectSingleSequenceMatchesSession("llama", KvDType::kQ8_0, kQ8LlamaLogitTolerance);
}

TEST(Executor, OneQwen2SequenceMatchesSessionWithQ8Pages) {
  ExpectSingleSequenceMatchesSession("qwen2", KvDType::kQ8_0, kQ8Qwen2LogitTolerance);
}

TEST(Executor, OneQwen2SequenceMatchesSessionWithF16Pages) {
  ExpectSingleSequenceMatchesSession("qwen2", KvDType::kF16, kF16Qwen2LogitTolerance);
}

TEST(Executor, OneQwen2SequenceMatchesSessionWithF32Pages) {
  ExpectSingleSequenceMatchesSession("qwen2", KvDType::kF32, kF32LogitTolerance);
}

// The greedy tokens of `stream` run alone through a fresh executor with the
// same KV dtype and chunking.
std::vector<TokenId> GreedyAloneThroughExecutor(const model::Model& model, ThreadPool& pool, const Stream& stream,
                                                KvDType dtype) {
  auto executor = MakeExecutor(model, pool, dtype, /*block_size=*/16, /*n_blocks=*/256, /*max_tokens=*/48);
  std::vector<Stream> alone = {MakeStream(
      stream.id, std::vector<TokenId>(stream.tokens.begin(), stream.tokens.begin() + stream.n_prompt),
      stream.n_to_generate)};
  PlanDriver driver(/*block_size=*/16, /*chunk=*/16, /*budget=*/48);
  RunAll(*executor, driver, alone);
  return alone[0].generated;
}

// 12 sequences of different prompt lengths: steps mix decodes with prefill
// chunks of at most 16 tokens under a 48-token budget. The reference is each
// sequence alone through the same runtime and KV dtype: the match is exact
// because a row's arithmetic does not depend on the rest of its batch. (Against
// model::Session even F32 pages sum attention in another order, which can
// flip a near-tie of the random-weight models; ExpectSingleSequenceMatchesSession
// bounds that difference instead.)
void ExpectBatchMatchesAlone(const std::string& arch, KvDType dtype, int n_sequences = 12) {
  const model::Model& model = SmallModel(arch);
  ThreadPool pool(2);
  auto executor = MakeExecutor(model, pool, dtype, /*block_size=*/16, /*n_blocks=*/256, /*max_tokens=*/48);
  std::vector<Stream> streams;
  for (int i = 0; i < n_sequences; ++i) {
    streams.push_back(MakeStream(100 + i, MakePrompt(3 + 9 * i, 10 + i), /*n_to_generate=*/24));
  }
  PlanDriver driver(/*block_size=*/16, /*chunk=*/16, /*budget=*/48);
  bool saw_mixed_step = false;
  for (int step = 0; step < 10000; ++step) {
    const StepPlan plan = driver.Build(streams);
    if (plan.empty()) break;
    int n_decodes = 0, n_chunks = 0;
    for (const ScheduledSequence& sequence : plan.sequences) (sequence.n_tokens() == 1 ? n_decodes : n_chunks)++;
    saw_mixed_step |= n_decodes > 1 && n_chunks > 0;
    StatusOr<StepResult> result = executor->Execute(plan);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    PlanDriver::Apply(plan, *result, streams);
  }
  EXPECT_TRUE(saw_mixed_step);
  for (const Stream& stream : streams) {
    EXPECT_EQ(stream.generated, GreedyAloneThroughExecutor(model, pool, stream, dtype)) << "sequence " << stream.id;
  }
}

TEST(Executor, LlamaBatchOfTwelveWithSmallChunksMatchesEachSequenceAlone) {
  ExpectBatchMatchesAlone("llama", KvDType::kF32);
}

TEST(Executor, Qwen2BatchOfTwelveWithSmallChunksMatchesEachSequenceAlone) {
  ExpectBatchMatchesAlone("qwen2", KvDType::kF32);
}

TEST(Executor, Qwen3BatchOfTwelveWithSmallChunksMatchesEachSequenceAlone) {
  ExpectBatchMatchesAlone("qwen3", KvDType::kF32);
}

TEST(Executor, OneQwen3SequenceMatchesSessionWithF32Pages) {
  ExpectSingleSequenceMatchesSession("qwen3", KvDType::kF32, kF32LogitTolerance);
}

// Every other architecture family (tests/model/small_shapes.h). Prompts of up
// to 102 tokens plus 24 generated cross the sliding window of 24 of the
// gemma and llama-swa shapes many times; one sequence of 85 tokens against
// Session crosses it too.
class ExecutorFamily : public ::testing::TestWithParam<std::string> {};

TEST_P(ExecutorFamily, BatchOfTwelveWithSmallChunksMatchesEachSequenceAlone) {
  ExpectBatchMatchesAlone(GetParam(), KvDType::kF32);
}

TEST_P(ExecutorFamily, OneSequenceMatchesSessionWithF32Pages) {
  ExpectSingleSequenceMatchesSession(GetParam(), KvDType::kF32, kF32LogitTolerance);
}

INSTANTIATE_TEST_SUITE_P(Architectures, ExecutorFamily,
                         ::testing::Values("llama-swa", "gemma2", "gemma3", "phi3", "exaone", "exaone4",
                                           "exaone4-swa", "qwen3moe", "qwen2moe"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

// Sixteen sequences at once: the MoE block groups the rows of a step by
// expert, and each sequence still gets exactly the tokens it gets alone.
TEST(Executor, Qwen3MoeBatchOfSixteenMatchesEachSequenceAlone) {
  ExpectBatchMatchesAlone("qwen3moe", KvDType::kF32, /*n_sequences=*/16);
}

TEST(Executor, LlamaBatchWithF16PagesMatchesEachSequenceAloneWithF16Pages) {
  ExpectBatchMatchesAlone("llama", KvDType::kF16);
}

TEST(Executor, LlamaBatchWithQ8PagesMatchesEachSequenceAloneWithQ8Pages) {
  ExpectBatchMatchesAlone("llama", KvDType::kQ8_0);
}

TEST(Executor, Qwen2BatchWithQ8PagesMatchesEachSequenceAloneWithQ8Pages) {
  ExpectBatchMatchesAlone("qwen2", KvDType::kQ8_0);
}

TEST(Executor, SharedPrefixBlocksGiveTheSameTokensAsUnshared) {
  const model::Model& model = SmallModel("llama");
  ThreadPool pool(2);
  auto executor = MakeExecutor(model, pool, KvDType::kF16);
  const std::vector<TokenId> prefix = MakePrompt(32, 77);  // two full blocks of 16
  auto with_suffix = [&](uint32_t seed) {
    std::vector<TokenId> prompt = prefix;
    for (TokenId token : MakePrompt(7, seed)) prompt.push_back(token);
    return prompt;
  };
  // The owner computes the prefix into blocks 0 and 1.
  std::vector<Stream> owner = {MakeStream(1, with_suffix(1), 8)};
  PlanDriver driver(16, 16, 64);
  RunAll(*executor, driver, owner);
  // Two sharers start past the prefix, their tables pointing at the owner's
  // first two blocks; a third computes the same prompt into its own blocks.
  std::vector<Stream> sharers = {MakeStream(2, with_suffix(2), 12), MakeStream(3, with_suffix(3), 12)};
  for (Stream& stream : sharers) {
    stream.blocks = {owner[0].blocks[0], owner[0].blocks[1]};
    stream.n_computed = 32;
  }
  std::vector<Stream> unshared = {MakeStream(4, with_suffix(2), 12), MakeStream(5, with_suffix(3), 12)};
  const BlockId blocks_before_sharers = driver.next_block();
  RunAll(*executor, driver, sharers);
  // Each sharer only allocated blocks past the prefix (positions 32 .. 50).
  EXPECT_EQ(driver.next_block() - blocks_before_sharers, 2 * 2);
  RunAll(*executor, driver, unshared);
  EXPECT_EQ(sharers[0].generated, unshared[0].generated);
  EXPECT_EQ(sharers[1].generated, unshared[1].generated);
  EXPECT_NE(sharers[0].generated, sharers[1].generated);
}

// A one-sequence plan for the validation tests.
struct OnePlan {
  std::vector<TokenId> tokens = {5, 6, 7};
  std::vector<BlockId> blocks = {0};
  SamplingParams sampling;
  StepPlan plan;

  OnePlan() {
    sampling.temperature = 0.0f;
    plan.block_size = 16;
    ScheduledSequence sequence;
    sequence.seq_id = 9;
    sequence.tokens = tokens;
    sequence.history = tokens;
    sequence.block_ids = blocks;
    sequence.sample = true;
    sequence.sampling = &sampling;
    plan.sequences.push_back(sequence);
  }
};

TEST(Executor, RejectsBadPlansWithPreciseErrors) {
  const model::Model& model = SmallModel("llama");
  ThreadPool pool(2);
  auto executor = MakeExecutor(model, pool, KvDType::kF16, 16, /*n_blocks=*/8, /*max_tokens=*/4);
  {
    OnePlan bad;
    bad.tokens[1] = 600;  // vocabulary is [0, 600)
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kInvalidArgument);
    bad.tokens[1] = -1;
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kInvalidArgument);
  }
  {
    OnePlan bad;
    bad.plan.sequences[0].first_position = 510;  // context is 512
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kOutOfRange);
  }
  {
    OnePlan bad;
    bad.blocks[0] = 8;
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kInvalidArgument);
    bad.plan.sequences[0].block_ids = {};
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kInvalidArgument);
  }
  {
    OnePlan bad;
    bad.plan.block_size = 8;
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kInvalidArgument);
  }
  {
    OnePlan bad;
    bad.plan.sequences[0].history = std::span<const TokenId>(bad.tokens).first(2);
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kInvalidArgument);
  }
  {
    OnePlan bad;
    bad.plan.sequences.push_back(bad.plan.sequences[0]);  // 6 tokens > max 4
    bad.plan.sequences[1].seq_id = 10;
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kInvalidArgument);
  }
  {
    OnePlan bad;
    bad.sampling.top_p = std::nanf("");
    EXPECT_EQ(executor->Execute(bad.plan).status().code(), StatusCode::kInvalidArgument);
  }
  OnePlan good;
  StatusOr<StepResult> result = executor->Execute(good.plan);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->sampled.size(), 1u);
  EXPECT_EQ(result->sampled[0].seq_id, 9);
}

TEST(Executor, DropsTheSamplersOfEndedSequences) {
  const model::Model& model = SmallModel("llama");
  ThreadPool pool(2);
  auto executor = MakeExecutor(model, pool, KvDType::kF16);
  OnePlan one;
  ASSERT_TRUE(executor->Execute(one.plan).ok());
  EXPECT_EQ(executor->n_live_samplers(), 1u);
  StepPlan ending;  // block_size left 0: an empty plan carries no KV layout
  ending.ended = {9};
  StatusOr<StepResult> result = executor->Execute(ending);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->sampled.empty());
  EXPECT_EQ(executor->n_live_samplers(), 0u);
}

}  // namespace
}  // namespace fab::runtime
