// OpenAiHandler: routing and the answers that need no generation, driven
// through Handle with plain HttpRequests.
#include "server/openai_handler.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/openai_handler_test_util.h"
#include "server/request_log.h"

namespace fab::server {
namespace {

namespace json = boost::json;

TEST(OpenAiHandler, AnswersHealthWithOk) {
  TestServer server;
  Received received = Send(server, Get("/health"));
  EXPECT_EQ(received.response.status, 200);
  EXPECT_EQ(received.json, json::parse(R"({"status":"ok"})"));
}

TEST(OpenAiHandler, LogsOneLinePerImmediateResponseWithTheErrorMessage) {
  const std::filesystem::path log_path =
      std::filesystem::temp_directory_path() / ("openai_handler_log." + std::to_string(::getpid()));
  std::filesystem::remove(log_path);
  ASSERT_TRUE(ConfigureRequestLog(log_path.string()).ok());
  {
    TestServer server;
    EXPECT_EQ(Send(server, Get("/health")).response.status, 200);
    EXPECT_EQ(Send(server, Get("/no/such/path?x=1")).response.status, 404);
  }
  ASSERT_TRUE(ConfigureRequestLog("").ok());
  std::ifstream in(log_path);
  std::vector<json::value> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  std::filesystem::remove(log_path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("path"), "/health");
  EXPECT_EQ(lines[0].at("status"), 200);
  EXPECT_EQ(lines[1].at("path"), "/no/such/path");
  EXPECT_EQ(lines[1].at("status"), 404);
  EXPECT_NE(std::string(lines[1].at("error").as_string()).find("/no/such/path"), std::string::npos);
}

TEST(OpenAiHandler, IsReadyUntilDraining) {
  TestServer server;
  EXPECT_EQ(Send(server, Get("/ready")).response.status, 200);
  server.handler().SetDraining();
  EXPECT_EQ(Send(server, Get("/ready")).response.status, 503);
  EXPECT_EQ(Send(server, Get("/health")).response.status, 200);
}

TEST(OpenAiHandler, RefusesGenerationWhileDraining) {
  TestServer server;
  server.handler().SetDraining();
  Received received = Send(server, PostJson("/v1/completions", R"({"prompt":"hello","max_tokens":2})"));
  EXPECT_EQ(received.response.status, 503);
  EXPECT_EQ(received.json.at("error").at("type"), "server_error");
  EXPECT_EQ(Send(server, PostJson("/tokenize", R"({"prompt":"hello"})")).response.status, 200);
}

TEST(OpenAiHandler, ListsTheServedModel) {
  TestServer server;
  Received received = Send(server, Get("/v1/models"));
  ASSERT_EQ(received.response.status, 200);
  EXPECT_EQ(received.json, json::parse(R"({"object":"list","data":[{"id":"tiny","object":"model",
      "created":1700000000,"owned_by":"tokenfab","max_model_len":512}]})"));
}

TEST(OpenAiHandler, RendersMetricsAsPrometheusText) {
  TestServer server;
  Received received = Send(server, Get("/metrics"));
  EXPECT_EQ(received.response.status, 200);
  EXPECT_EQ(received.response.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(received.response.body.find("tokenfab:num_requests_running"), std::string::npos);
}

TEST(OpenAiHandler, AnswersUnknownPathsWith404) {
  TestServer server;
  Received received = Send(server, Get("/v2/nothing"));
  EXPECT_EQ(received.response.status, 404);
  EXPECT_TRUE(received.json.at("error").is_object());
}

TEST(OpenAiHandler, AnswersWrongMethodWith405) {
  TestServer server;
  const Received post_only = Send(server, Get("/v1/completions"));
  EXPECT_EQ(post_only.response.status, 405);
  EXPECT_EQ(post_only.response.headers, (std::vector<std::pair<std::string, std::string>>{{"Allow", "POST"}}));
  EXPECT_EQ(Send(server, PostJson("/health", "{}")).response.status, 405);
}

TEST(OpenAiHandler, AnswersNonJsonBodiesWith415) {
  TestServer server;
  HttpRequest request = PostJson("/v1/completions", R"({"prompt":"hi"})");
  request.content_type = "text/plain";
  EXPECT_EQ(Send(server, request).response.status, 415);
  request.content_type = "";
  EXPECT_EQ(Send(server, request).response.status, 415);
}

TEST(OpenAiHandler, AnswersInvalidJsonWith400) {
  TestServer server;
  Received received = Send(server, PostJson("/v1/chat/completions", "{\"messages\": ["));
  EXPECT_EQ(received.response.status, 400);
  EXPECT_EQ(received.json.at("error").at("type"), "invalid_request_error");
}

TEST(OpenAiHandler, AnswersAnotherModelNameWith404) {
  TestServer server;
  for (const char* target : {"/v1/completions", "/tokenize"}) {
    Received received = Send(server, PostJson(target, R"({"model":"gpt-4","prompt":"hi"})"));
    EXPECT_EQ(received.response.status, 404) << target;
    EXPECT_EQ(received.json.at("error").at("code"), "model_not_found") << target;
  }
  EXPECT_EQ(Send(server, PostJson("/v1/completions", R"({"model":"tiny","prompt":"hi","max_tokens":1})"))
                .response.status,
            200);
}

TEST(OpenAiHandler, AnswersTooLongPromptsWithContextLengthExceeded) {
  TestServer server;
  Received received =
      Send(server, PostJson("/v1/completions", R"({"prompt":[[5,6,7,8]],"max_tokens":510})"));
  EXPECT_EQ(received.response.status, 400);
  EXPECT_EQ(received.json.at("error").at("code"), "context_length_exceeded");
}

TEST(OpenAiHandler, AnswersOutOfVocabularyIdsWith400) {
  TestServer server;
  EXPECT_EQ(Send(server, PostJson("/v1/completions", R"({"prompt":[5,600],"max_tokens":1})")).response.status, 400);
  Received received =
      Send(server, PostJson("/v1/completions", R"({"prompt":[5,6],"max_tokens":1,"logit_bias":{"600":1}})"));
  EXPECT_EQ(received.response.status, 400);
  EXPECT_EQ(received.json.at("error").at("param"), "logit_bias");
  EXPECT_EQ(Send(server, PostJson("/detokenize", R"({"tokens":[1,600]})")).response.status, 400);
}

TEST(OpenAiHandler, AnswersAFullQueueWith503AndRetryAfter) {
  TestServer server(std::nullopt, /*max_waiting=*/1);
  // 3 prompts x n=2 = 6 sequences cannot all wait in a queue of one.
  Received received = Send(
      server, PostJson("/v1/completions", R"({"prompt":["a","b","c"],"n":2,"max_tokens":1,"temperature":0})"));
  EXPECT_EQ(received.response.status, 503);
  bool has_retry_after = false;
  for (const auto& [name, value] : received.response.headers) has_retry_after |= name == "Retry-After";
  EXPECT_TRUE(has_retry_after);
}

}  // namespace
}  // namespace fab::server
