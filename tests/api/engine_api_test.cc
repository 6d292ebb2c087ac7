// The public C++ API (include/tokenfab/engine.h) against a small synthesized
// model: loading, blocking and streamed generation, stop strings, cancel,
// chat messages, stats, tokenization, and precise errors for bad input.
#include <atomic>
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api_test_model.h"
#include "tokenfab/engine.h"

namespace tokenfab {
namespace {

// The tests' model (api_test_model.h) with a context of 512.
const std::string& TinyModelPath() { return fab::api_test::SynthesizedModelPath(512); }

std::shared_ptr<const Model> TinyModel() {
  static const std::shared_ptr<const Model> model = [] {
    StatusOr<std::shared_ptr<const Model>> loaded = Model::Load(TinyModelPath());
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? *loaded : nullptr;
  }();
  return model;
}

std::unique_ptr<Engine> MakeEngine(EngineOptions options = {}) {
  if (options.n_threads == 0) options.n_threads = 2;
  StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(TinyModel(), options);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

// Takes a stream's events until its done event; nullopt when 30 s pass
// without an event.
std::optional<StatusOr<GenerateResult>> WaitForDone(Stream& stream) {
  while (true) {
    std::optional<Stream::Event> event = stream.Next(std::chrono::seconds(30));
    if (!event) return std::nullopt;
    if (event->done) return event->done;
  }
}

GenerateRequest Greedy(std::string prompt, int32_t max_tokens) {
  GenerateRequest request;
  request.prompt = std::move(prompt);
  request.max_tokens = max_tokens;
  request.sampling.temperature = 0.0f;
  request.ignore_eos = true;  // random weights: keep the length fixed
  return request;
}

TEST(ModelApi, LoadReportsAMissingFileWithTheEnginesOwnCode) {
  StatusOr<std::shared_ptr<const Model>> missing = Model::Load("/nonexistent/model.gguf");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/model.gguf"), std::string::npos)
      << missing.status().ToString();
}

TEST(ModelApi, DescribesTheModelAndRoundTripsText) {
  const std::shared_ptr<const Model> model = TinyModel();
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().architecture, "llama");
  EXPECT_EQ(model->info().n_vocab, 600);
  EXPECT_EQ(model->info().n_ctx_train, 512);
  StatusOr<std::vector<TokenId>> ids = model->Tokenize("hello world", /*add_special=*/false);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  StatusOr<std::string> text = model->Detokenize(*ids);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("world"), std::string::npos) << *text;
  StatusOr<std::string> bad = model->Detokenize({1, 600});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("600"), std::string::npos);
}

TEST(EngineApi, GreedyGenerationIsRepeatableAndTextMatchesTokenIds) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  StatusOr<GenerateResult> first = engine->Generate(Greedy("Once upon a time", 8));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->tokens.size(), 8u);
  EXPECT_EQ(first->finish_reason, FinishReason::kMaxTokens);
  EXPECT_GT(first->n_prompt_tokens, 0);
  StatusOr<GenerateResult> again = engine->Generate(Greedy("Once upon a time", 8));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->tokens, first->tokens);
  EXPECT_EQ(again->text, first->text);

  GenerateRequest by_ids = Greedy("", 8);
  StatusOr<std::vector<TokenId>> ids = engine->model().Tokenize("Once upon a time");
  ASSERT_TRUE(ids.ok());
  by_ids.prompt_tokens = *ids;
  StatusOr<GenerateResult> from_ids = engine->Generate(by_ids);
  ASSERT_TRUE(from_ids.ok());
  EXPECT_EQ(from_ids->tokens, first->tokens);
  EXPECT_EQ(from_ids->text, first->text);
}

TEST(EngineApi, SubmitStreamsEventsWhoseTextsMakeTheResult) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  std::vector<TokenEvent> events;
  std::promise<StatusOr<GenerateResult>> done;
  std::atomic<int> n_done{0};
  Callbacks callbacks;
  callbacks.on_token = [&events](const TokenEvent& event) { events.push_back(event); };
  callbacks.on_done = [&](const StatusOr<GenerateResult>& result) {
    ++n_done;
    done.set_value(result);
  };
  StatusOr<RequestId> id = engine->Submit(Greedy("The sky", 6), std::move(callbacks));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  StatusOr<GenerateResult> result = done.get_future().get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->id, *id);
  std::string text;
  std::vector<TokenId> tokens;
  for (const TokenEvent& event : events) {
    EXPECT_EQ(event.id, *id);
    text += event.text;
    if (event.token != kNoToken) tokens.push_back(event.token);
  }
  EXPECT_EQ(text, result->text);
  EXPECT_EQ(tokens, result->tokens);
  EXPECT_EQ(n_done.load(), 1);
}

TEST(EngineApi, AStreamYieldsTokensThenOneDoneEvent) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  StatusOr<std::unique_ptr<Stream>> stream = engine->Open(Greedy("Hello", 5));
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  int n_tokens = 0;
  std::optional<StatusOr<GenerateResult>> done;
  while (!done) {
    std::optional<Stream::Event> event = (*stream)->Next(std::chrono::seconds(30));
    ASSERT_TRUE(event.has_value()) << "no event in 30 s";
    if (event->token && event->token->token != kNoToken) ++n_tokens;
    if (event->done) done = event->done;
  }
  ASSERT_TRUE(done->ok()) << done->status().ToString();
  EXPECT_EQ(n_tokens, 5);
  EXPECT_FALSE((*stream)->Next(std::chrono::milliseconds(0)).has_value());
}

TEST(EngineApi, CancelEndsARequestWithCancelled) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  StatusOr<std::unique_ptr<Stream>> stream = engine->Open(Greedy("Count", 400));
  ASSERT_TRUE(stream.ok());
  ASSERT_TRUE((*stream)->Next(std::chrono::seconds(30)).has_value()) << "first token";
  (*stream)->Cancel();
  std::optional<StatusOr<GenerateResult>> done = WaitForDone(**stream);
  ASSERT_TRUE(done.has_value()) << "no done event in 30 s";
  ASSERT_TRUE(done->ok());
  EXPECT_EQ((*done)->finish_reason, FinishReason::kCancelled);
  EXPECT_LT((*done)->tokens.size(), 400u);
  EXPECT_EQ(engine->Cancel((*done)->id).code(), StatusCode::kNotFound);
}

TEST(EngineApi, AStopStringEndsTheTextBeforeIt) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  StatusOr<GenerateResult> free_run = engine->Generate(Greedy("Once", 24));
  ASSERT_TRUE(free_run.ok());
  ASSERT_GE(free_run->text.size(), 4u) << "random weights gave too little text";
  // A stop string from the middle of the free-running text.
  const size_t cut = free_run->text.size() / 2;
  size_t start = cut;
  while (start > 0 && (static_cast<unsigned char>(free_run->text[start]) & 0xC0) == 0x80) --start;
  const std::string stop = free_run->text.substr(start, 1);
  GenerateRequest stopped = Greedy("Once", 24);
  stopped.stop = {stop};
  StatusOr<GenerateResult> result = engine->Generate(stopped);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->finish_reason, FinishReason::kStopString);
  EXPECT_EQ(result->text, free_run->text.substr(0, free_run->text.find(stop)));
}

TEST(EngineApi, ChatMessagesRenderThroughTheTemplate) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  GenerateRequest chat = Greedy("", 4);
  chat.messages = {{"system", "Be brief."}, {"user", "Hi"}};
  StatusOr<GenerateResult> result = engine->Generate(chat);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_GT(result->n_prompt_tokens, 5);
  EXPECT_EQ(result->tokens.size(), 4u);
}

TEST(EngineApi, BadRequestsGetInvalidArgumentNamingTheProblem) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  auto expect_invalid = [&engine](GenerateRequest request, const std::string& needle) {
    StatusOr<GenerateResult> result = engine->Generate(request);
    ASSERT_FALSE(result.ok()) << needle;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
    EXPECT_NE(result.status().message().find(needle), std::string::npos) << result.status().ToString();
  };
  expect_invalid(Greedy("hi", 0), "max_tokens 0 is below 1");
  expect_invalid(Greedy("hi", 600), "context");
  GenerateRequest hot = Greedy("hi", 4);
  hot.sampling.temperature = -1.0f;
  expect_invalid(hot, "temperature");
  GenerateRequest bias = Greedy("hi", 4);
  bias.sampling.logit_bias = {{600, 1.0f}};
  expect_invalid(bias, "logit_bias");
  GenerateRequest stop = Greedy("hi", 4);
  stop.stop = {""};
  expect_invalid(stop, "stop");
  GenerateRequest ids = Greedy("", 4);
  ids.prompt_tokens = {1, -5};
  expect_invalid(ids, "prompt token");
  expect_invalid(Greedy(std::string("\xff\xfe", 2), 4), "prompt");
}

TEST(EngineApi, OptionsOutsideTheModelAreRefused) {
  EngineOptions too_long;
  too_long.n_ctx = 100000;
  StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(TinyModel(), too_long);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(engine.status().message().find("n_ctx"), std::string::npos);
  EngineOptions dtype;
  dtype.kv_dtype = "q3";
  EXPECT_FALSE(Engine::Create(TinyModel(), dtype).ok());
  EXPECT_FALSE(Engine::Create(std::shared_ptr<const Model>(), {}).ok());
}

TEST(EngineApi, AnUnknownPriorityIsRefused) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  GenerateRequest request = Greedy("hi", 2);
  request.priority = static_cast<Priority>(7);
  StatusOr<GenerateResult> result = engine->Generate(request);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("priority 7"), std::string::npos) << result.status().ToString();
}

TEST(EngineApi, TheContextNeverExceedsTheKvPool) {
  EngineOptions options;
  options.n_ctx = 512;
  options.kv_cache = "64";
  auto engine = MakeEngine(options);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->n_ctx(), 64);
  StatusOr<GenerateResult> too_long = engine->Generate(Greedy("hi", 100));
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("exceed the context of 64 tokens"), std::string::npos)
      << too_long.status().ToString();
}

TEST(EngineApi, AStreamMayOutliveItsEngine) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  StatusOr<std::unique_ptr<Stream>> stream = engine->Open(Greedy("Count", 400));
  ASSERT_TRUE(stream.ok());
  engine.reset();  // ends the request
  std::optional<StatusOr<GenerateResult>> done = WaitForDone(**stream);
  ASSERT_TRUE(done.has_value()) << "no done event in 30 s";
  ASSERT_TRUE(done->ok());
  EXPECT_EQ((*done)->finish_reason, FinishReason::kCancelled);
  (*stream)->Cancel();  // the engine is gone: nothing to do
}

TEST(EngineApi, StatsCountFinishedRequests) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Generate(Greedy("a", 3)).ok());
  ASSERT_TRUE(engine->Generate(Greedy("b", 3)).ok());
  const EngineStats stats = engine->Stats();
  EXPECT_EQ(stats.n_requests_submitted, 2);
  EXPECT_EQ(stats.n_requests_finished, 2);
  EXPECT_EQ(stats.n_generated_tokens, 6);
  EXPECT_GT(stats.n_kv_blocks_total, 0);
  EXPECT_EQ(engine->n_ctx(), 512);
}

TEST(EngineApi, ManyConcurrentRequestsAllFinish) {
  auto engine = MakeEngine();
  ASSERT_NE(engine, nullptr);
  std::vector<std::future<StatusOr<GenerateResult>>> results;
  for (int i = 0; i < 8; ++i) {
    results.push_back(std::async(std::launch::async, [&engine, i] {
      return engine->Generate(Greedy("request " + std::to_string(i), 5));
    }));
  }
  for (auto& result : results) {
    StatusOr<GenerateResult> r = result.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->tokens.size(), 5u);
  }
}

}  // namespace
}  // namespace tokenfab
