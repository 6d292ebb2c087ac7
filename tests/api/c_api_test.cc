// The C API (tokenfab.h) driven in-process against a small synthesized model:
// its generation equals the C++ API's, requests stream and cancel, and every
// entry point refuses NULL, freed and foreign handles with a precise message.
#include "tokenfab/tokenfab.h"

#include <gtest/gtest.h>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "api_test_model.h"
#include "tokenfab/engine.h"

namespace {

// Generous: a bug fails the test instead of hanging it.
constexpr int32_t kPollTimeoutMs = 60'000;

// The tests' model (api_test_model.h) with a context of 256.
const std::string& ModelPath() { return fab::api_test::SynthesizedModelPath(256); }

tf_engine_options SmallEngineOptions() {
  tf_engine_options options;
  EXPECT_EQ(tf_engine_options_default(&options), TF_OK);
  options.n_threads = 1;
  return options;
}

tf_request_options GreedyRequest(const char* prompt, int32_t max_tokens) {
  tf_request_options options;
  EXPECT_EQ(tf_request_options_default(&options), TF_OK);
  options.prompt = prompt;
  options.max_tokens = max_tokens;
  options.temperature = 0.0f;
  return options;
}

// A loaded model and an engine over it, freed at the end of the test.
class CApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(tf_model_load(ModelPath().c_str(), &model_), TF_OK) << tf_last_error();
    const tf_engine_options options = SmallEngineOptions();
    ASSERT_EQ(tf_engine_create(model_, &options, &engine_), TF_OK) << tf_last_error();
  }
  void TearDown() override {
    EXPECT_EQ(tf_engine_free(engine_), TF_OK);
    EXPECT_EQ(tf_model_free(model_), TF_OK);
  }

  // Polls `request` to its DONE event; the texts of its TOKEN events go to `text`.
  static tf_event PollToDone(tf_request* request, std::string& text) {
    tf_event event{};
    for (;;) {
      EXPECT_EQ(tf_request_poll(request, kPollTimeoutMs, &event), TF_OK) << tf_last_error();
      if (event.kind == TF_EVENT_DONE) return event;
      EXPECT_EQ(event.kind, TF_EVENT_TOKEN) << "no event within the timeout";
      if (event.kind != TF_EVENT_TOKEN) return event;
      text.append(event.text, event.text_length);
    }
  }

  tf_model* model_ = nullptr;
  tf_engine* engine_ = nullptr;
};

TEST_F(CApi, GreedyGenerateEqualsTheCppEngine) {
  const tf_request_options options = GreedyRequest("hello world", 12);
  tf_result result{};
  ASSERT_EQ(tf_generate(engine_, &options, &result), TF_OK) << tf_last_error();
  EXPECT_STREQ(tf_last_error(), "");

  tokenfab::EngineOptions cpp_options;
  cpp_options.n_threads = 1;
  auto engine = tokenfab::Engine::Create(ModelPath(), cpp_options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  tokenfab::GenerateRequest request;
  request.prompt = "hello world";
  request.max_tokens = 12;
  request.sampling.temperature = 0.0f;
  auto expected = (*engine)->Generate(request);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();

  EXPECT_EQ(std::string(result.text, result.text_length), expected->text);
  EXPECT_EQ(std::vector<int32_t>(result.tokens, result.tokens + result.n_tokens), expected->tokens);
  EXPECT_EQ(result.finish_reason, static_cast<int32_t>(expected->finish_reason));
  EXPECT_EQ(result.n_prompt_tokens, expected->n_prompt_tokens);
  EXPECT_EQ(std::strlen(result.text), result.text_length);
  tf_result_free(&result);
  EXPECT_EQ(result.text, nullptr);
  EXPECT_EQ(result.tokens, nullptr);
}

TEST_F(CApi, SubmitAndPollStreamWhatGenerateReturns) {
  const tf_request_options options = GreedyRequest("hello world", 10);
  tf_result result{};
  ASSERT_EQ(tf_generate(engine_, &options, &result), TF_OK) << tf_last_error();

  tf_request* request = nullptr;
  ASSERT_EQ(tf_submit(engine_, &options, &request), TF_OK) << tf_last_error();
  std::string text;
  const tf_event done = PollToDone(request, text);
  ASSERT_EQ(done.kind, TF_EVENT_DONE);
  EXPECT_EQ(done.status, TF_OK);
  EXPECT_STREQ(done.text, "");
  EXPECT_EQ(text, std::string(result.text, result.text_length));
  EXPECT_EQ(done.finish_reason, result.finish_reason);
  EXPECT_EQ(done.n_prompt_tokens, result.n_prompt_tokens);
  EXPECT_EQ(done.n_generated_tokens, static_cast<int64_t>(result.n_tokens));

  // After DONE: NONE at once, even when asked to wait forever.
  tf_event after{};
  ASSERT_EQ(tf_request_poll(request, -1, &after), TF_OK);
  EXPECT_EQ(after.kind, TF_EVENT_NONE);
  EXPECT_EQ(tf_request_free(request), TF_OK);
  tf_result_free(&result);
}

TEST_F(CApi, CancelEndsTheRequestWithFinishCancelled) {
  tf_request_options options = GreedyRequest("hello", 200);
  options.ignore_eos = 1;
  tf_request* request = nullptr;
  ASSERT_EQ(tf_submit(engine_, &options, &request), TF_OK) << tf_last_error();
  ASSERT_EQ(tf_request_cancel(request), TF_OK) << tf_last_error();
  std::string text;
  const tf_event done = PollToDone(request, text);
  ASSERT_EQ(done.kind, TF_EVENT_DONE);
  EXPECT_EQ(done.status, TF_OK);
  EXPECT_EQ(done.finish_reason, TF_FINISH_CANCELLED);
  EXPECT_LT(done.n_generated_tokens, 200);
  EXPECT_EQ(tf_request_cancel(request), TF_OK) << "cancelling an ended request is harmless";
  EXPECT_EQ(tf_request_free(request), TF_OK);
}

TEST_F(CApi, FreeingARunningRequestCancelsIt) {
  tf_request_options options = GreedyRequest("hello", 200);
  options.ignore_eos = 1;
  tf_request* request = nullptr;
  ASSERT_EQ(tf_submit(engine_, &options, &request), TF_OK);
  EXPECT_EQ(tf_request_free(request), TF_OK);
  // The engine is free again: a new request runs to its end.
  const tf_request_options next = GreedyRequest("hello", 2);
  tf_result result{};
  EXPECT_EQ(tf_generate(engine_, &next, &result), TF_OK) << tf_last_error();
  tf_result_free(&result);
}

TEST_F(CApi, FreeingARequestAnotherThreadPollsEndsThatPollSafely) {
  tf_request_options options = GreedyRequest("hello", 200);
  options.ignore_eos = 1;
  tf_request* request = nullptr;
  ASSERT_EQ(tf_submit(engine_, &options, &request), TF_OK);
  tf_status last_status = TF_OK;
  int32_t last_kind = TF_EVENT_NONE;
  std::thread poller([&] {
    tf_event event{};
    // Waits without a timeout: the free must end the request, or this hangs.
    while ((last_status = tf_request_poll(request, -1, &event)) == TF_OK && event.kind != TF_EVENT_DONE) {
    }
    last_kind = event.kind;
  });
  EXPECT_EQ(tf_request_free(request), TF_OK);
  poller.join();
  // Either the poll in flight saw DONE, or the next one found the handle gone.
  EXPECT_TRUE((last_status == TF_OK && last_kind == TF_EVENT_DONE) || last_status == TF_INVALID_ARGUMENT)
      << tf_status_name(last_status);
}

TEST_F(CApi, HandlesMayBeFreedInAnyOrder) {
  tf_request_options options = GreedyRequest("hello world", 6);
  tf_request* request = nullptr;
  ASSERT_EQ(tf_submit(engine_, &options, &request), TF_OK);
  // The caller lets go of the model and the engine first; the request keeps
  // both alive and still runs to its end.
  ASSERT_EQ(tf_model_free(model_), TF_OK);
  ASSERT_EQ(tf_engine_free(engine_), TF_OK);
  std::string text;
  const tf_event done = PollToDone(request, text);
  EXPECT_EQ(done.kind, TF_EVENT_DONE);
  EXPECT_EQ(done.status, TF_OK);
  EXPECT_EQ(tf_request_free(request), TF_OK);
  model_ = nullptr;  // freed: TearDown's frees of NULL are no-ops
  engine_ = nullptr;
}

TEST_F(CApi, ARequestErrorComesBackWithAPreciseMessage) {
  tf_request_options options = GreedyRequest("hello", 0);
  tf_result result{};
  EXPECT_EQ(tf_generate(engine_, &options, &result), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "max_tokens 0 is below 1");
  options.max_tokens = 1000;
  EXPECT_EQ(tf_generate(engine_, &options, &result), TF_INVALID_ARGUMENT);
  EXPECT_NE(std::string(tf_last_error()).find("exceed the context of 256 tokens"), std::string::npos)
      << tf_last_error();
  options = GreedyRequest("hello", 4);
  options.temperature = -1.0f;
  EXPECT_EQ(tf_generate(engine_, &options, &result), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "temperature must be in [0, 100]");
  options = GreedyRequest("bad \xff utf-8", 4);
  EXPECT_EQ(tf_generate(engine_, &options, &result), TF_INVALID_ARGUMENT);
  EXPECT_NE(std::string(tf_last_error()).find("prompt"), std::string::npos) << tf_last_error();
  options = GreedyRequest("hello", 4);
  options.priority = 7;
  EXPECT_EQ(tf_generate(engine_, &options, &result), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "priority 7 is none of TF_PRIORITY_INTERACTIVE (0), TF_PRIORITY_BATCH (1) and TF_PRIORITY_PREMIUM (2)");
  options = GreedyRequest("hello", 4);
  options.n_stop = 100000;
  EXPECT_EQ(tf_submit(engine_, &options, nullptr), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "request_out is NULL");
  tf_request* request = nullptr;
  EXPECT_EQ(tf_submit(engine_, &options, &request), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "n_stop 100000 is above 16");
  EXPECT_EQ(request, nullptr) << "out-parameters are written only on TF_OK";
  options = GreedyRequest(nullptr, 4);
  options.n_prompt_tokens = size_t{1} << 40;
  EXPECT_EQ(tf_generate(engine_, &options, &result), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "n_prompt_tokens 1099511627776 is above the engine's context of 256");
  options.n_prompt_tokens = 0;
  EXPECT_EQ(tf_generate(engine_, &options, &result), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "prompt is NULL and neither prompt_tokens nor messages is given");
}

TEST_F(CApi, PromptTokensAndChatMessagesArePrompts) {
  int32_t* tokens = nullptr;
  size_t n_tokens = 0;
  ASSERT_EQ(tf_tokenize(model_, "hello world", 11, 1, 1, &tokens, &n_tokens), TF_OK) << tf_last_error();
  tf_request_options by_text = GreedyRequest("hello world", 5);
  tf_request_options by_tokens = GreedyRequest(nullptr, 5);
  by_tokens.prompt_tokens = tokens;
  by_tokens.n_prompt_tokens = n_tokens;
  tf_result text_result{}, token_result{};
  ASSERT_EQ(tf_generate(engine_, &by_text, &text_result), TF_OK) << tf_last_error();
  ASSERT_EQ(tf_generate(engine_, &by_tokens, &token_result), TF_OK) << tf_last_error();
  EXPECT_STREQ(token_result.text, text_result.text);
  tf_result_free(&text_result);
  tf_result_free(&token_result);
  tf_tokens_free(tokens);

  const tf_chat_message messages[] = {{"user", "hello"}};
  tf_request_options chat = GreedyRequest(nullptr, 3);
  chat.messages = messages;
  chat.n_messages = 1;
  tf_result chat_result{};
  EXPECT_EQ(tf_generate(engine_, &chat, &chat_result), TF_OK) << tf_last_error();
  EXPECT_GT(chat_result.n_prompt_tokens, 1);
  tf_result_free(&chat_result);
}

TEST_F(CApi, TokenizeAndDetokenizeRoundTrip) {
  int32_t* tokens = nullptr;
  size_t n_tokens = 0;
  ASSERT_EQ(tf_tokenize(model_, "hello world", 11, /*add_special=*/0, 0, &tokens, &n_tokens), TF_OK);
  ASSERT_GT(n_tokens, 0u);
  char* text = nullptr;
  size_t length = 0;
  ASSERT_EQ(tf_detokenize(model_, tokens, n_tokens, &text, &length), TF_OK) << tf_last_error();
  const std::string round_trip(text, length);
  EXPECT_TRUE(round_trip == "hello world" || round_trip == " hello world") << round_trip;
  tf_string_free(text);
  tf_tokens_free(tokens);

  EXPECT_EQ(tf_tokenize(model_, "\xc3", 1, 1, 1, &tokens, &n_tokens), TF_INVALID_ARGUMENT);
  const int32_t outside[] = {5, 600};
  EXPECT_EQ(tf_detokenize(model_, outside, 2, &text, nullptr), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "token 600 at index 1 is outside the vocabulary of 600 tokens");
  EXPECT_EQ(tf_tokenize(model_, nullptr, 0, 0, 0, &tokens, &n_tokens), TF_OK) << "empty text";
  EXPECT_EQ(n_tokens, 0u);
  EXPECT_EQ(tokens, nullptr);

  tf_model_info info;
  ASSERT_EQ(tf_model_get_info(model_, &info), TF_OK);
  EXPECT_EQ(info.n_vocab, 600);
  EXPECT_EQ(info.n_ctx_train, 256);
  EXPECT_STREQ(info.architecture, "llama");
  EXPECT_STREQ(info.path, ModelPath().c_str());
  int64_t n_ctx = 0;
  ASSERT_EQ(tf_engine_n_ctx(engine_, &n_ctx), TF_OK);
  EXPECT_EQ(n_ctx, 256);
}

// `call` returns TF_INVALID_ARGUMENT and tf_last_error() is `message`.
#define EXPECT_REFUSED(call, message)                         \
  do {                                                        \
    EXPECT_EQ((call), TF_INVALID_ARGUMENT) << #call;          \
    EXPECT_STREQ(tf_last_error(), (message)) << #call;        \
  } while (0)

TEST(CApiArguments, EveryFunctionRefusesNullArguments) {
  tf_model* model = nullptr;
  tf_engine* engine = nullptr;
  tf_request* request = nullptr;
  tf_request_options options;
  ASSERT_EQ(tf_request_options_default(&options), TF_OK);
  options.prompt = "hello";
  tf_result result{};
  tf_event event{};
  tf_model_info info;
  int32_t* tokens = nullptr;
  size_t n_tokens = 0;
  char* text = nullptr;
  int64_t n_ctx = 0;
  EXPECT_REFUSED(tf_model_load(nullptr, &model), "path is NULL");
  EXPECT_REFUSED(tf_model_load(ModelPath().c_str(), nullptr), "model_out is NULL");
  EXPECT_REFUSED(tf_model_get_info(nullptr, &info), "model is NULL");
  EXPECT_REFUSED(tf_tokenize(nullptr, "a", 1, 1, 1, &tokens, &n_tokens), "model is NULL");
  EXPECT_REFUSED(tf_detokenize(nullptr, nullptr, 0, &text, nullptr), "model is NULL");
  EXPECT_REFUSED(tf_engine_options_default(nullptr), "options_out is NULL");
  EXPECT_REFUSED(tf_engine_create(nullptr, nullptr, &engine), "model is NULL");
  EXPECT_REFUSED(tf_engine_n_ctx(nullptr, &n_ctx), "engine is NULL");
  EXPECT_REFUSED(tf_request_options_default(nullptr), "options_out is NULL");
  EXPECT_REFUSED(tf_generate(nullptr, &options, &result), "engine is NULL");
  EXPECT_REFUSED(tf_submit(nullptr, &options, &request), "engine is NULL");
  EXPECT_REFUSED(tf_request_poll(nullptr, 0, &event), "request is NULL");
  EXPECT_REFUSED(tf_request_cancel(nullptr), "request is NULL");

  // With live handles: NULL out-parameters, options and data.
  ASSERT_EQ(tf_model_load(ModelPath().c_str(), &model), TF_OK);
  ASSERT_EQ(tf_engine_create(model, nullptr, &engine), TF_OK) << "NULL options: the defaults";
  ASSERT_EQ(tf_submit(engine, &options, &request), TF_OK);
  EXPECT_REFUSED(tf_model_get_info(model, nullptr), "info_out is NULL");
  EXPECT_REFUSED(tf_tokenize(model, "a", 1, 1, 1, nullptr, &n_tokens), "tokens_out is NULL");
  EXPECT_REFUSED(tf_tokenize(model, "a", 1, 1, 1, &tokens, nullptr), "n_tokens_out is NULL");
  EXPECT_REFUSED(tf_tokenize(model, nullptr, 3, 1, 1, &tokens, &n_tokens), "text is NULL but length is 3");
  EXPECT_REFUSED(tf_detokenize(model, nullptr, 2, &text, nullptr), "tokens is NULL but n_tokens is 2");
  EXPECT_REFUSED(tf_detokenize(model, nullptr, 0, nullptr, nullptr), "text_out is NULL");
  EXPECT_REFUSED(tf_engine_create(model, nullptr, nullptr), "engine_out is NULL");
  EXPECT_REFUSED(tf_engine_n_ctx(engine, nullptr), "n_ctx_out is NULL");
  EXPECT_REFUSED(tf_generate(engine, nullptr, &result), "options is NULL");
  EXPECT_REFUSED(tf_generate(engine, &options, nullptr), "result_out is NULL");
  EXPECT_REFUSED(tf_submit(engine, nullptr, &request), "options is NULL");
  EXPECT_REFUSED(tf_request_poll(request, 0, nullptr), "event_out is NULL");
  options.n_stop = 1;
  EXPECT_REFUSED(tf_generate(engine, &options, &result), "stop is NULL but n_stop is 1");
  const char* stops[] = {nullptr};
  options.stop = stops;
  EXPECT_REFUSED(tf_generate(engine, &options, &result), "stop[0] is NULL");
  options.n_stop = 0;
  options.n_messages = 1;
  EXPECT_REFUSED(tf_generate(engine, &options, &result), "messages is NULL but n_messages is 1");
  const tf_chat_message messages[] = {{"user", nullptr}};
  options.messages = messages;
  EXPECT_REFUSED(tf_generate(engine, &options, &result), "messages[0] has a NULL role or content");
  options.n_messages = 0;
  options.n_prompt_tokens = 2;
  EXPECT_REFUSED(tf_generate(engine, &options, &result), "prompt_tokens is NULL but n_prompt_tokens is 2");

  // Frees of NULL are no-ops, as free(NULL) is.
  EXPECT_EQ(tf_request_free(nullptr), TF_OK);
  EXPECT_EQ(tf_engine_free(nullptr), TF_OK);
  EXPECT_EQ(tf_model_free(nullptr), TF_OK);
  tf_string_free(nullptr);
  tf_tokens_free(nullptr);
  tf_result_free(nullptr);

  EXPECT_EQ(tf_request_free(request), TF_OK);
  EXPECT_EQ(tf_engine_free(engine), TF_OK);
  EXPECT_EQ(tf_model_free(model), TF_OK);
}

TEST(CApiArguments, FreedAndForeignHandlesAreRefused) {
  tf_model* model = nullptr;
  tf_engine* engine = nullptr;
  ASSERT_EQ(tf_model_load(ModelPath().c_str(), &model), TF_OK);
  ASSERT_EQ(tf_engine_create(model, nullptr, &engine), TF_OK);
  ASSERT_EQ(tf_engine_free(engine), TF_OK);
  EXPECT_EQ(tf_engine_free(engine), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "engine is not a live handle (already freed, or not made by tokenfab)");
  int64_t n_ctx = 0;
  EXPECT_EQ(tf_engine_n_ctx(engine, &n_ctx), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "engine is not a live handle (already freed, or not made by tokenfab)");

  // A garbage pointer, and one handle passed as another kind, are never read.
  int garbage[4] = {1, 2, 3, 4};
  tf_request* fake_request = reinterpret_cast<tf_request*>(garbage);
  tf_event event{};
  EXPECT_EQ(tf_request_poll(fake_request, 0, &event), TF_INVALID_ARGUMENT);
  EXPECT_EQ(tf_request_free(fake_request), TF_INVALID_ARGUMENT);
  EXPECT_EQ(tf_engine_n_ctx(reinterpret_cast<tf_engine*>(model), &n_ctx), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "engine is not a live handle (already freed, or not made by tokenfab)");

  ASSERT_EQ(tf_model_free(model), TF_OK);
  EXPECT_EQ(tf_model_free(model), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "model is not a live handle (already freed, or not made by tokenfab)");
}

TEST(CApiArguments, LoadFailuresNameTheFile) {
  tf_model* model = nullptr;
  EXPECT_NE(tf_model_load("/nonexistent/model.gguf", &model), TF_OK);
  EXPECT_NE(std::string(tf_last_error()).find("/nonexistent/model.gguf"), std::string::npos) << tf_last_error();
  EXPECT_EQ(model, nullptr);
}

TEST(CApiArguments, BadEngineOptionsAreRefusedByName) {
  tf_model* model = nullptr;
  ASSERT_EQ(tf_model_load(ModelPath().c_str(), &model), TF_OK);
  tf_engine_options options = SmallEngineOptions();
  options.n_ctx = 100000;
  tf_engine* engine = nullptr;
  EXPECT_EQ(tf_engine_create(model, &options, &engine), TF_INVALID_ARGUMENT);
  EXPECT_STREQ(tf_last_error(), "n_ctx 100000 is outside [0, 256], the model's training context");
  options = SmallEngineOptions();
  options.kv_dtype = "q3";
  EXPECT_EQ(tf_engine_create(model, &options, &engine), TF_INVALID_ARGUMENT);
  EXPECT_NE(std::string(tf_last_error()).find("--kv-dtype"), std::string::npos) << tf_last_error();
  EXPECT_EQ(engine, nullptr);
  EXPECT_EQ(tf_model_free(model), TF_OK);
}

TEST(CApiArguments, LastErrorIsPerThreadAndClearedBySuccess) {
  tf_model* model = nullptr;
  EXPECT_EQ(tf_model_load(nullptr, &model), TF_INVALID_ARGUMENT);
  std::string other_thread_error = "unset";
  std::thread([&] { other_thread_error = tf_last_error(); }).join();
  EXPECT_EQ(other_thread_error, "");
  EXPECT_STREQ(tf_last_error(), "path is NULL");
  tf_request_options options;
  EXPECT_EQ(tf_request_options_default(&options), TF_OK);
  EXPECT_STREQ(tf_last_error(), "");
}

TEST(CApiVersion, StatusNamesAndVersionAreStable) {
  EXPECT_STREQ(tf_status_name(TF_OK), "OK");
  EXPECT_STREQ(tf_status_name(TF_INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_STREQ(tf_status_name(TF_INTERNAL), "INTERNAL");
  EXPECT_STREQ(tf_status_name(TF_UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_STREQ(tf_status_name(TF_PERMISSION_DENIED), "PERMISSION_DENIED");
  EXPECT_STREQ(tf_status_name(TF_DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
  EXPECT_STREQ(tf_status_name(static_cast<tf_status>(15)), "UNKNOWN");
  const std::string version = std::to_string(TF_VERSION_MAJOR) + "." + std::to_string(TF_VERSION_MINOR) + "." +
                              std::to_string(TF_VERSION_PATCH);
  EXPECT_EQ(tf_version(), version);
}

}  // namespace
