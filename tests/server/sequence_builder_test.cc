// BuildSequences, ResolveSamplingParams and ResolveSequenceOptions: one engine request per choice in
// choice order, seeds that differ per choice yet repeat per request, and
// logit_bias checked against the vocabulary.
#include "server/sequence_builder.h"

#include <gtest/gtest.h>

#include "server/openai_handler_test_util.h"

namespace fab::server {
namespace {

TEST(SequenceBuilder, MakesNSequencesPerPromptInChoiceOrder) {
  const Tokenizer& tokenizer = *GetTinyModel().tokenizer;
  SequenceOptions options;
  options.sampling.seed = 40;
  options.n_choices_per_prompt = 3;
  options.n_top_logprobs = 2;
  options.priority = Priority::kBatch;
  const std::vector<GenerationRequest> requests =
      BuildSequences({{1, 5}, {1, 6, 7}}, {4, 9}, options, tokenizer);
  ASSERT_EQ(requests.size(), 6u);
  for (size_t choice = 0; choice < requests.size(); ++choice) {
    const size_t prompt = choice / 3;
    EXPECT_EQ(requests[choice].prompt.size(), prompt == 0 ? 2u : 3u) << choice;
    EXPECT_EQ(requests[choice].max_new_tokens, prompt == 0 ? 4 : 9) << choice;
    EXPECT_EQ(requests[choice].sampling.seed, 40u + choice % 3) << choice;
    EXPECT_EQ(requests[choice].n_top_logprobs, 2);
    EXPECT_EQ(requests[choice].priority, Priority::kBatch);
    const auto end_of_generation = tokenizer.end_of_generation_ids();
    EXPECT_EQ(requests[choice].stop_tokens, std::vector<TokenId>(end_of_generation.begin(), end_of_generation.end()));
  }
}

TEST(SequenceBuilder, IgnoreEosLeavesNoStopTokens) {
  const Tokenizer& tokenizer = *GetTinyModel().tokenizer;
  ASSERT_FALSE(tokenizer.end_of_generation_ids().empty());
  SequenceOptions options;
  options.ignore_eos = true;
  const std::vector<GenerationRequest> requests = BuildSequences({{1, 5}}, {4}, options, tokenizer);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].stop_tokens.empty());
}

TEST(SequenceBuilder, UsesTheRequestSeedOrTheDrawnOne) {
  SamplingFields fields;
  EXPECT_EQ(ResolveSamplingParams(fields, 600, 1234).value().seed, 1234u);
  fields.seed = 7;
  EXPECT_EQ(ResolveSamplingParams(fields, 600, 1234).value().seed, 7u);
}

TEST(SequenceBuilder, RefusesLogitBiasOutsideTheVocabulary) {
  SamplingFields fields;
  fields.logit_bias = {{5, -100.0f}, {599, 2.5f}};
  ApiResult<SamplingParams> params = ResolveSamplingParams(fields, 600, 0);
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->logit_bias, (std::vector<std::pair<TokenId, float>>{{5, -100.0f}, {599, 2.5f}}));
  fields.logit_bias[600] = 1.0f;
  ApiResult<SamplingParams> refused = ResolveSamplingParams(fields, 600, 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 400);
  EXPECT_EQ(refused.error().param, "logit_bias");
}

TEST(SequenceBuilder, TakesTheSharedOptionsFromTheFields) {
  SamplingFields fields;
  fields.n = 3;
  fields.priority = Priority::kBatch;
  fields.ignore_eos = true;
  fields.seed = 7;
  ApiResult<SequenceOptions> options = ResolveSequenceOptions(fields, 600, 1234);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->n_choices_per_prompt, 3);
  EXPECT_EQ(options->priority, Priority::kBatch);
  EXPECT_TRUE(options->ignore_eos);
  EXPECT_EQ(options->sampling.seed, 7u);
  EXPECT_EQ(options->n_top_logprobs, 0);
  EXPECT_FALSE(options->prompt_logprobs);
  fields.logit_bias[600] = 1.0f;
  ApiResult<SequenceOptions> refused = ResolveSequenceOptions(fields, 600, 1234);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().param, "logit_bias");
}

}  // namespace
}  // namespace fab::server
