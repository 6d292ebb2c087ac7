// GenerationJob through the handler: usage accounting, the stream's closing
// sequence, and what an abandoned stream leaves in the engine.
#include "server/generation_job.h"

#include <gtest/gtest.h>

#include "server/openai_handler_test_util.h"

namespace fab::server {
namespace {

namespace json = boost::json;

// completion_tokens counts every token a choice took, its end-of-generation
// token included; logprob entries list the tokens that became text.
int64_t CountedTokens(const json::value& choice) {
  const int64_t n_entries = static_cast<int64_t>(choice.at("logprobs").at("tokens").as_array().size());
  return n_entries + (choice.at("finish_reason") == "stop" ? 1 : 0);
}

TEST(GenerationJob, CountsEachPromptOnceAndEveryCompletionToken) {
  TestServer server;
  Received received = Send(server, PostJson("/v1/completions", R"({"prompt":[[1,300,301,302],[1,400,401,402,403,404]],
      "n":2,"max_tokens":5,"temperature":0,"logprobs":0})"));
  ASSERT_EQ(received.response.status, 200) << received.response.body;
  const json::value& usage = received.json.at("usage");
  EXPECT_EQ(usage.at("prompt_tokens"), 10);
  int64_t n_completion = 0;
  for (const auto& choice : received.json.at("choices").as_array()) n_completion += CountedTokens(choice);
  EXPECT_EQ(usage.at("completion_tokens"), n_completion);
  EXPECT_EQ(usage.at("total_tokens"), 10 + n_completion);
  EXPECT_GE(usage.at("prompt_tokens_details").at("cached_tokens").as_int64(), 0);
}

TEST(GenerationJob, EndsAStreamWithUsageThenDone) {
  TestServer server;
  const std::string body = R"({"prompt":[1,300,301],"max_tokens":6,"temperature":0)";
  Received whole = Send(server, PostJson("/v1/completions", body + "}"));
  Received streamed = Send(server, PostJson("/v1/completions",
                                            body + R"(,"stream":true,"stream_options":{"include_usage":true}})"));
  ASSERT_GE(streamed.events.size(), 3u);
  EXPECT_EQ(streamed.events.back(), "[DONE]");
  const json::object usage_chunk = Chunks(streamed).back();
  EXPECT_TRUE(usage_chunk.at("choices").as_array().empty());
  EXPECT_EQ(usage_chunk.at("usage").at("prompt_tokens"), whole.json.at("usage").at("prompt_tokens"));
  EXPECT_EQ(usage_chunk.at("usage").at("completion_tokens"), whole.json.at("usage").at("completion_tokens"));
}

TEST(GenerationJob, AbandonedStreamLeavesNoSequenceOrBlock) {
  TestServer server;
  HandlerResult result = server.handler().Handle(PostJson(
      "/v1/completions", R"({"prompt":[[1,300,301],[1,302]],"n":2,"max_tokens":400,"temperature":0,"stream":true,
      "logit_bias":{"2":-100}})"));
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<ResponseStream>>(result));
  std::shared_ptr<ResponseStream> stream = std::get<std::shared_ptr<ResponseStream>>(result);
  {
    StreamTaker taker(stream);
    ResponseStream::Taken taken;
    ASSERT_TRUE(taker.Next(&taken));  // generation is under way
    EXPECT_FALSE(taken.finished);
  }
  stream->Abandon();
  EXPECT_TRUE(WaitForIdleEngine(server.engine()));
  EXPECT_EQ(server.engine().Stats().n_finished_by_reason[static_cast<int>(FinishReason::kCancelled)], 4);
}

TEST(GenerationJob, AbandonedWholeResponseCancelsToo) {
  TestServer server;
  HandlerResult result = server.handler().Handle(
      PostJson("/v1/completions", R"({"prompt":[1,300,301],"max_tokens":400,"temperature":0,"logit_bias":{"2":-100}})"));
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<ResponseStream>>(result));
  std::get<std::shared_ptr<ResponseStream>>(result)->Abandon();
  EXPECT_TRUE(WaitForIdleEngine(server.engine()));
}

TEST(GenerationJob, EndsStreamsCutByTheDrainDeadlineWithLength) {
  TestServer server;
  HandlerResult result = server.handler().Handle(PostJson(
      "/v1/chat/completions", R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":400,"temperature":0,
      "stream":true,"logit_bias":{"2":-100}})"));
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<ResponseStream>>(result));
  std::shared_ptr<ResponseStream> stream = std::get<std::shared_ptr<ResponseStream>>(result);
  server.handler().SetDraining();
  server.engine().Shutdown(engine::Clock::now());
  Received received = Drain(stream);
  ASSERT_TRUE(received.completed);
  EXPECT_EQ(received.events.back(), "[DONE]");
  const std::vector<json::object> chunks = Chunks(received);
  EXPECT_EQ(chunks.back().at("choices").at(0).at("finish_reason"), "length");
}

TEST(GenerationJob, AnswersAFailedGenerationWith500) {
  TestServer server(std::nullopt, 64, /*failing_step=*/2);
  Received received = Send(server, PostJson("/v1/completions", R"({"prompt":[1,300],"max_tokens":8,"temperature":0})"));
  EXPECT_EQ(received.response.status, 500);
  EXPECT_EQ(received.json.at("error").at("type"), "server_error");
  // The engine serves on.
  EXPECT_EQ(Send(server, PostJson("/v1/completions", R"({"prompt":[1,300],"max_tokens":2})")).response.status, 200);
}

TEST(GenerationJob, EndsAFailedStreamWithAnErrorEventThenDone) {
  TestServer server(std::nullopt, 64, /*failing_step=*/2);
  Received received = Send(
      server, PostJson("/v1/completions", R"({"prompt":[1,300],"max_tokens":8,"temperature":0,"stream":true})"));
  ASSERT_TRUE(received.completed);
  ASSERT_GE(received.events.size(), 2u);
  EXPECT_EQ(received.events.back(), "[DONE]");
  const json::value error = json::parse(received.events[received.events.size() - 2]);
  EXPECT_EQ(error.at("error").at("type"), "server_error");
}

}  // namespace
}  // namespace fab::server
