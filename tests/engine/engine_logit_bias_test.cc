// logit_bias through the engine on a real model: -100 on the greedy token
// bans it from every position, +100 forces a token, and a bias for a token
// outside the vocabulary (or out of range) is refused at Submit naming the field.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

constexpr int32_t kNewTokens = 8;

std::vector<TokenId> Serve(Engine& engine, GenerationRequest request) {
  auto observer = std::make_shared<RecordingObserver>();
  StatusOr<RequestId> id = engine.Submit(std::move(request), observer);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(observer->WaitForFinish().has_value());
  return observer->tokens();
}

TEST(EngineLogitBias, MinusHundredBansTheGreedyTokenEverywhere) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  const std::vector<TokenId> prompt = runtime::MakePrompt(20, 11);
  const std::vector<TokenId> plain = Serve(*engine, GreedyRequest(prompt, kNewTokens));
  ASSERT_EQ(plain.size(), static_cast<size_t>(kNewTokens));
  GenerationRequest banned = GreedyRequest(prompt, kNewTokens);
  banned.sampling.logit_bias = {{plain[0], -100.0f}};
  const std::vector<TokenId> tokens = Serve(*engine, std::move(banned));
  ASSERT_EQ(tokens.size(), static_cast<size_t>(kNewTokens));
  EXPECT_NE(tokens, plain);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), plain[0]), 0);
}

TEST(EngineLogitBias, PlusHundredForcesAToken) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  GenerationRequest request = GreedyRequest(runtime::MakePrompt(20, 12), kNewTokens);
  request.sampling.logit_bias = {{123, 100.0f}};
  EXPECT_EQ(Serve(*engine, request), std::vector<TokenId>(kNewTokens, 123));
  request.sampling.temperature = 1.0f;  // also when sampling
  request.sampling.seed = 9;
  EXPECT_EQ(Serve(*engine, request), std::vector<TokenId>(kNewTokens, 123));
}

TEST(EngineLogitBias, RefusesBiasesOutsideTheVocabularyOrRange) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  const int64_t n_vocab = runtime::SmallModel("llama").hparams().n_vocab;
  for (const auto& bias : std::vector<std::pair<TokenId, float>>{
           {static_cast<TokenId>(n_vocab), 1.0f}, {-1, 1.0f}, {5, 100.5f}, {5, std::nanf("")}}) {
    GenerationRequest request = GreedyRequest(runtime::MakePrompt(5, 13), 1);
    request.sampling.logit_bias = {bias};
    auto observer = std::make_shared<RecordingObserver>();
    StatusOr<RequestId> id = engine->Submit(std::move(request), observer);
    ASSERT_FALSE(id.ok()) << "token " << bias.first << " bias " << bias.second;
    EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(id.status().message().find("logit_bias"), std::string::npos) << id.status().ToString();
  }
}

}  // namespace
}  // namespace fab::engine
