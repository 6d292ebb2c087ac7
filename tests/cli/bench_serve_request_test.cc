#include "cli/bench_serve_request.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace fab::cli {
namespace {

namespace json = boost::json;

TEST(BenchServeRequest, BodyCarriesTokenIdsAndAsksForAStreamWithUsage) {
  BenchPrompt prompt;
  prompt.token_ids = {101, 202, 303};
  prompt.max_tokens = 16;
  const json::value body = json::parse(BuildRequestBody(prompt, RequestBodySpec{"m", false, true, {}}));
  EXPECT_EQ(body.at("model"), "m");
  EXPECT_EQ(body.at("prompt"), json::parse("[101,202,303]"));
  EXPECT_EQ(body.at("max_tokens"), 16);
  EXPECT_EQ(body.at("stream"), true);
  EXPECT_EQ(body.at("stream_options").at("include_usage"), true);
  EXPECT_EQ(body.at("ignore_eos"), true);
  EXPECT_EQ(body.at("temperature"), 0);
}

TEST(BenchServeRequest, ChatBodySendsTheTextAsOneUserMessageAndNoEmptyModel) {
  BenchPrompt prompt;
  prompt.text = "Hi \"you\"";
  prompt.max_tokens = 4;
  const json::value body = json::parse(BuildRequestBody(prompt, RequestBodySpec{"", true, false, {}}));
  EXPECT_FALSE(body.as_object().contains("model"));
  EXPECT_FALSE(body.as_object().contains("ignore_eos"));
  EXPECT_EQ(body.at("messages").at(0).at("role"), "user");
  EXPECT_EQ(body.at("messages").at(0).at("content"), "Hi \"you\"");
}

TEST(BenchServeRequest, ExtraBodyFieldsAreAddedAndReplaceTheDefaults) {
  BenchPrompt prompt;
  prompt.text = "x";
  prompt.max_tokens = 4;
  RequestBodySpec spec{"m", false, true, {}};
  spec.extra = json::parse(R"({"guided_json": {"type": "object"}, "temperature": 1})").as_object();
  const json::value body = json::parse(BuildRequestBody(prompt, spec));
  EXPECT_EQ(body.at("guided_json").at("type"), "object");
  EXPECT_EQ(body.at("temperature"), 1);
  EXPECT_EQ(body.at("max_tokens"), 4);
}

TEST(BenchServeRequest, ReadsTextOfCompletionAndChatEvents) {
  EXPECT_EQ(ParseStreamEvent(R"({"choices":[{"text":"abc","index":0}]})").n_text_bytes, 3u);
  EXPECT_EQ(ParseStreamEvent(R"({"choices":[{"delta":{"content":"ab"}}]})").n_text_bytes, 2u);
  EXPECT_EQ(ParseStreamEvent(R"({"choices":[{"delta":{"role":"assistant"}}]})").n_text_bytes, 0u);
  EXPECT_EQ(ParseStreamEvent(R"({"choices":[],"usage":null})").n_text_bytes, 0u);
  EXPECT_TRUE(ParseStreamEvent("[DONE]").done);
}

TEST(BenchServeRequest, ReadsUsage) {
  const StreamEvent e = ParseStreamEvent(R"({"choices":[],"usage":{"prompt_tokens":150,"completion_tokens":64}})");
  ASSERT_TRUE(e.n_prompt_tokens && e.n_completion_tokens);
  EXPECT_EQ(*e.n_prompt_tokens, 150);
  EXPECT_EQ(*e.n_completion_tokens, 64);
  EXPECT_TRUE(e.error.empty());
}

TEST(BenchServeRequest, ReportsErrorEventsAndGarbage) {
  EXPECT_NE(ParseStreamEvent(R"({"error":{"message":"out of KV"}})").error.find("out of KV"), std::string::npos);
  EXPECT_FALSE(ParseStreamEvent("not json").error.empty());
  EXPECT_FALSE(ParseStreamEvent("[1,2]").error.empty());
  EXPECT_LE(ParseStreamEvent(std::string(100000, 'x')).error.size(), 400u);
}

}  // namespace
}  // namespace fab::cli
