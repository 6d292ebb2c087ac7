// Constrained decoding through the engine on a random-weight model: with a
// JSON Schema grammar on every request, sampling at temperature 1 still
// writes only JSON the grammar accepts and ends with the end-of-generation
// token (a stop) right after a complete document; sixteen such requests run
// in one batch; an unconstrained request beside them is untouched; requests
// preempted under a small KV pool resume their grammar where they were.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine_test_util.h"
#include "grammar/grammar_constraint.h"
#include "grammar/json_schema.h"
#include "tokenizer/tokenizer.h"

namespace fab::engine {
namespace {

constexpr std::string_view kSchema = R"({"type": "object", "properties": {
    "name": {"type": "string", "maxLength": 6},
    "count": {"type": "integer", "minimum": 0, "maximum": 99},
    "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 3},
    "ok": {"type": "boolean"}},
  "required": ["name", "count", "ok"]})";

struct Constrained {
  std::unique_ptr<Tokenizer> tokenizer;
  std::shared_ptr<grammar::TokenMaskCache> cache;
};

const Constrained& Setup() {
  static const Constrained* setup = [] {
    auto* s = new Constrained;
    auto tokenizer = Tokenizer::FromGguf(runtime::SmallModel("llama").gguf());
    FAB_CHECK(tokenizer.ok()) << tokenizer.status().ToString();
    s->tokenizer = std::move(tokenizer).value();
    auto grammar = grammar::JsonSchemaToGrammar(boost::json::parse(kSchema));
    FAB_CHECK(grammar.ok()) << grammar.status().ToString();
    auto compiled = grammar::CompiledGrammar::Compile(std::move(grammar).value());
    FAB_CHECK(compiled.ok());
    s->cache = std::make_shared<grammar::TokenMaskCache>(*compiled, grammar::TokenTrie::Of(*s->tokenizer));
    return s;
  }();
  return *setup;
}

GenerationRequest ConstrainedRequest(uint64_t seed) {
  const Constrained& setup = Setup();
  GenerationRequest request;
  request.prompt = runtime::MakePrompt(12, static_cast<uint32_t>(seed));
  request.max_new_tokens = 256;
  request.sampling.temperature = 1.0f;
  request.sampling.seed = seed;
  const std::span<const TokenId> ends = setup.tokenizer->end_of_generation_ids();
  request.stop_tokens.assign(ends.begin(), ends.end());
  request.constraint = std::make_shared<grammar::GrammarConstraint>(
      setup.cache, std::vector<TokenId>(ends.begin(), ends.end()));
  return request;
}

// The text of `tokens` without a final end-of-generation token.
std::string TextOf(const std::vector<TokenId>& tokens) {
  std::string text;
  for (TokenId token : tokens) {
    if (!Setup().tokenizer->IsEndOfGeneration(token)) text += Setup().tokenizer->TokenBytes(token);
  }
  return text;
}

void ExpectCompleteDocument(const std::vector<TokenId>& tokens, const RequestSummary& summary) {
  ASSERT_EQ(summary.reason, FinishReason::kStopToken) << TextOf(tokens);
  ASSERT_FALSE(tokens.empty());
  EXPECT_TRUE(Setup().tokenizer->IsEndOfGeneration(tokens.back()));
  const std::string text = TextOf(tokens);
  grammar::GrammarMatcher check(Setup().cache->grammar());
  EXPECT_TRUE(check.AcceptBytes(text) && check.IsComplete()) << text;
  boost::system::error_code error;
  const boost::json::value parsed = boost::json::parse(text, error);
  ASSERT_FALSE(error) << text;
  EXPECT_TRUE(parsed.as_object().contains("name") && parsed.as_object().contains("ok")) << text;
  if (std::getenv("FAB_PRINT_OUTPUTS")) std::printf("%s\n", text.c_str());
}

TEST(EngineGrammar, RandomWeightsAtTemperatureOneStillWriteSchemaValidJson) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    auto observer = std::make_shared<RecordingObserver>();
    ASSERT_TRUE(engine->Submit(ConstrainedRequest(seed), observer).ok());
    const std::optional<RequestSummary> summary = observer->WaitForFinish();
    ASSERT_TRUE(summary.has_value());
    ExpectCompleteDocument(observer->tokens(), *summary);
  }
}

TEST(EngineGrammar, SixteenConstrainedRequestsInOneBatchBesideAnUnconstrainedOne) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  const std::vector<TokenId> prompt = runtime::MakePrompt(12, 77);
  auto alone = std::make_shared<RecordingObserver>();
  ASSERT_TRUE(engine->Submit(GreedyRequest(prompt, 24), alone).ok());
  ASSERT_TRUE(alone->WaitForFinish().has_value());

  std::vector<std::shared_ptr<RecordingObserver>> observers;
  for (uint64_t seed = 10; seed < 26; ++seed) {
    observers.push_back(std::make_shared<RecordingObserver>());
    ASSERT_TRUE(engine->Submit(ConstrainedRequest(seed), observers.back()).ok());
  }
  auto beside = std::make_shared<RecordingObserver>();
  ASSERT_TRUE(engine->Submit(GreedyRequest(prompt, 24), beside).ok());
  for (const auto& observer : observers) {
    const std::optional<RequestSummary> summary = observer->WaitForFinish();
    ASSERT_TRUE(summary.has_value());
    ExpectCompleteDocument(observer->tokens(), *summary);
  }
  ASSERT_TRUE(beside->WaitForFinish().has_value());
  EXPECT_EQ(beside->tokens(), alone->tokens());
}

TEST(EngineGrammar, PreemptedRequestsResumeTheirGrammarWhereTheyWere) {
  ThreadPool pool(2);
  // 10 blocks of 16 for 8 requests of 12 + ~50 tokens: decodes preempt and recompute.
  std::unique_ptr<Engine> engine = MakeEngine(pool, MakeTestConfig(/*capacity_tokens=*/160));
  std::vector<std::shared_ptr<RecordingObserver>> observers;
  for (uint64_t seed = 40; seed < 48; ++seed) {
    GenerationRequest request = ConstrainedRequest(seed);
    request.max_new_tokens = 120;
    observers.push_back(std::make_shared<RecordingObserver>());
    ASSERT_TRUE(engine->Submit(std::move(request), observers.back()).ok());
  }
  for (const auto& observer : observers) {
    const std::optional<RequestSummary> summary = observer->WaitForFinish();
    ASSERT_TRUE(summary.has_value());
    ExpectCompleteDocument(observer->tokens(), *summary);
  }
  EXPECT_GT(engine->Stats().n_preemptions, 0);
}

}  // namespace
}  // namespace fab::engine
