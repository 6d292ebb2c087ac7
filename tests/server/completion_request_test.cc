#include "server/completion_request.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace fab::server {
namespace {

CompletionRequest ParseOrDie(const std::string& body) {
  ApiResult<CompletionRequest> parsed = ParseCompletionRequest(body);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  if (!parsed.ok()) return {};
  return std::move(parsed).value();
}

const std::string& TextOf(const Prompt& prompt) { return std::get<std::string>(prompt); }
const std::vector<TokenId>& IdsOf(const Prompt& prompt) { return std::get<std::vector<TokenId>>(prompt); }

TEST(CompletionRequest, ParsesTheSdkQuickstartBody) {
  const CompletionRequest request = ParseOrDie(
      R"({"model":"tinyllama","prompt":"Say this is a test","max_tokens":7,"temperature":0})");
  EXPECT_EQ(request.model, "tinyllama");
  ASSERT_EQ(request.prompts.size(), 1u);
  EXPECT_EQ(TextOf(request.prompts[0]), "Say this is a test");
  EXPECT_EQ(request.sampling.max_tokens, 7);
  EXPECT_EQ(request.sampling.temperature, 0.0);
  EXPECT_EQ(request.sampling.n, 1);
  EXPECT_FALSE(request.sampling.stream);
  EXPECT_FALSE(request.echo);
  EXPECT_FALSE(request.logprobs.has_value());
}

TEST(CompletionRequest, DefaultsMaxTokensToSixteenAsOpenAiDoes) {
  EXPECT_EQ(ParseOrDie(R"({"prompt":"a"})").sampling.max_tokens, kDefaultCompletionMaxTokens);
}

TEST(CompletionRequest, LeavesModelEmptyWhenAbsentSoTheServedModelAnswers) {
  EXPECT_EQ(ParseOrDie(R"({"prompt":"a"})").model, "");
}

TEST(CompletionRequest, ParsesAnArrayOfStringsAsOnePromptEach) {
  const CompletionRequest request = ParseOrDie(R"({"prompt":["one","two","three"],"n":2})");
  ASSERT_EQ(request.prompts.size(), 3u);
  EXPECT_EQ(TextOf(request.prompts[2]), "three");
  EXPECT_EQ(request.sampling.n, 2);
}

TEST(CompletionRequest, ParsesAnArrayOfIdsAsOneTokenPrompt) {
  const CompletionRequest request = ParseOrDie(R"({"prompt":[1,15043,3186,2147483647]})");
  ASSERT_EQ(request.prompts.size(), 1u);
  EXPECT_EQ(IdsOf(request.prompts[0]), (std::vector<TokenId>{1, 15043, 3186, 2147483647}));
}

TEST(CompletionRequest, ParsesAnArrayOfIdArraysAsSeveralTokenPrompts) {
  const CompletionRequest request = ParseOrDie(R"({"prompt":[[1,2],[3],[0,4,5]]})");
  ASSERT_EQ(request.prompts.size(), 3u);
  EXPECT_EQ(IdsOf(request.prompts[1]), (std::vector<TokenId>{3}));
  EXPECT_EQ(IdsOf(request.prompts[2]), (std::vector<TokenId>{0, 4, 5}));
}

TEST(CompletionRequest, AcceptsZeroMaxTokensWithEchoForPromptScoring) {
  // The body lm-evaluation-harness sends for log-likelihoods.
  const CompletionRequest request =
      ParseOrDie(R"({"model":"m","prompt":[[1,2,3]],"max_tokens":0,"echo":true,"logprobs":1,"temperature":0})");
  EXPECT_EQ(request.sampling.max_tokens, 0);
  EXPECT_TRUE(request.echo);
  EXPECT_EQ(request.logprobs, 1);
}

TEST(CompletionRequest, ReadsEverySamplingField) {
  const CompletionRequest request = ParseOrDie(R"({
      "model":"m","prompt":"a","max_tokens":32,"temperature":0.7,"top_p":0.9,"top_k":40,
      "min_p":0.05,"presence_penalty":-0.5,"frequency_penalty":1.5,"repetition_penalty":1.1,
      "seed":-7,"stop":["\n\n","###"],"n":3,"logit_bias":{"50256":-100,"13":2.5},
      "logprobs":5,"echo":false,"stream":true,"stream_options":{"include_usage":true},
      "user":"alice","priority":"batch","ignore_eos":true})");
  const SamplingFields& s = request.sampling;
  EXPECT_EQ(s.max_tokens, 32);
  EXPECT_EQ(s.temperature, 0.7);
  EXPECT_EQ(s.top_p, 0.9);
  EXPECT_EQ(s.top_k, 40);
  EXPECT_EQ(s.min_p, 0.05);
  EXPECT_EQ(s.presence_penalty, -0.5);
  EXPECT_EQ(s.frequency_penalty, 1.5);
  EXPECT_EQ(s.repetition_penalty, 1.1);
  EXPECT_EQ(s.seed, -7);
  EXPECT_EQ(s.stop, (std::vector<std::string>{"\n\n", "###"}));
  EXPECT_EQ(s.n, 3);
  EXPECT_EQ(s.logit_bias, (std::map<TokenId, float>{{13, 2.5f}, {50256, -100.0f}}));
  EXPECT_EQ(request.logprobs, 5);
  EXPECT_TRUE(s.stream);
  EXPECT_TRUE(s.include_usage);
  EXPECT_EQ(s.user, "alice");
  EXPECT_EQ(s.priority, Priority::kBatch);
  EXPECT_TRUE(s.ignore_eos);
}

TEST(CompletionRequest, RefusesANonBooleanIgnoreEos) {
  const ApiResult<CompletionRequest> result = ParseCompletionRequest(R"({"prompt":"a","ignore_eos":"yes"})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().http_status, 400);
  EXPECT_EQ(result.error().param, "ignore_eos");
}

TEST(CompletionRequest, TakesASingleStopStringAsAListOfOne) {
  EXPECT_EQ(ParseOrDie(R"({"prompt":"a","stop":"END"})").sampling.stop, std::vector<std::string>{"END"});
}

TEST(CompletionRequest, AcceptsSixteenStopStrings) {
  std::string stops;
  for (int i = 0; i < 16; ++i) stops += (i ? ",\"s" : "\"s") + std::to_string(i) + "\"";
  EXPECT_EQ(ParseOrDie(R"({"prompt":"a","stop":[)" + stops + "]}").sampling.stop.size(), 16u);
}

TEST(CompletionRequest, TreatsNullFieldsAsAbsent) {
  const CompletionRequest request = ParseOrDie(
      R"({"prompt":"a","model":null,"max_tokens":null,"temperature":null,"stop":null,"n":null,)"
      R"("logit_bias":null,"stream":null,"stream_options":null,"user":null,"priority":null,"logprobs":null})");
  EXPECT_EQ(request.sampling.max_tokens, kDefaultCompletionMaxTokens);
  EXPECT_FALSE(request.sampling.temperature.has_value());
  EXPECT_TRUE(request.sampling.stop.empty());
  EXPECT_EQ(request.sampling.priority, Priority::kInteractive);
}

TEST(CompletionRequest, IgnoresUnknownFieldsAsOpenAiDoes) {
  const CompletionRequest request =
      ParseOrDie(R"({"prompt":"a","best_of":3,"suffix":"z","metadata":{"k":[1,2]},"future_field":true})");
  EXPECT_EQ(request.prompts.size(), 1u);
}

TEST(CompletionRequest, AcceptsIntegralDoublesForIntegerFields) {
  const CompletionRequest request = ParseOrDie(R"({"prompt":"a","max_tokens":8.0,"n":2.0,"top_k":-1})");
  EXPECT_EQ(request.sampling.max_tokens, 8);
  EXPECT_EQ(request.sampling.n, 2);
  EXPECT_EQ(request.sampling.top_k, -1);
}

TEST(CompletionRequest, AcceptsTheRangeEndpoints) {
  const CompletionRequest request = ParseOrDie(
      R"({"prompt":"a","temperature":2,"top_p":1,"min_p":0,"presence_penalty":-2,)"
      R"("frequency_penalty":2,"logit_bias":{"0":100,"1":-100},"logprobs":20,"n":16})");
  EXPECT_EQ(request.sampling.temperature, 2.0);
  EXPECT_EQ(request.sampling.logit_bias.at(1), -100.0f);
  EXPECT_EQ(request.logprobs, 20);
}

TEST(CompletionRequest, KeepsUnicodePromptsByteForByte) {
  EXPECT_EQ(TextOf(ParseOrDie(R"({"prompt":"h\u00e9llo \ud83d\ude00 日本"})").prompts[0]),
            "h\xC3\xA9llo \xF0\x9F\x98\x80 \xE6\x97\xA5\xE6\x9C\xAC");
}

}  // namespace
}  // namespace fab::server
