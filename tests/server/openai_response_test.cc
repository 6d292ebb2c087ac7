#include "server/openai_response.h"

#include <gtest/gtest.h>

#include <limits>

namespace fab::server {
namespace {

const ResponseHeader kHeader{.id = "cmpl-1", .created = 1700000000, .model = "tinyllama"};

TEST(UsageJson, AddsTotalTokensAndCachedTokens) {
  EXPECT_EQ(boost::json::serialize(UsageJson({.n_prompt_tokens = 10, .n_completion_tokens = 5,
                                              .n_cached_prompt_tokens = 8})),
            R"({"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,)"
            R"("prompt_tokens_details":{"cached_tokens":8}})");
}

TEST(CompletionBody, WritesTheTextCompletionObject) {
  EXPECT_EQ(CompletionBody(kHeader, {{.index = 0, .text = "hi", .finish_reason = FinishReason::kMaxTokens, .logprobs = nullptr}},
                           Usage{.n_prompt_tokens = 3, .n_completion_tokens = 1}),
            R"({"id":"cmpl-1","object":"text_completion","created":1700000000,"model":"tinyllama",)"
            R"("choices":[{"text":"hi","index":0,"logprobs":null,"finish_reason":"length"}],)"
            R"("usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4,)"
            R"("prompt_tokens_details":{"cached_tokens":0}}})");
}

TEST(CompletionBody, LeavesUsageOutOfStreamChunksAndWritesANullFinishReason) {
  EXPECT_EQ(CompletionBody(kHeader, {{.index = 1, .text = "a", .finish_reason = std::nullopt, .logprobs = nullptr}}, std::nullopt),
            R"({"id":"cmpl-1","object":"text_completion","created":1700000000,"model":"tinyllama",)"
            R"("choices":[{"text":"a","index":1,"logprobs":null,"finish_reason":null}]})");
}

TEST(ChatBody, WritesTheAssistantMessage) {
  EXPECT_EQ(ChatBody(kHeader, {{.index = 0, .text = "Hello!", .finish_reason = FinishReason::kStopToken, .logprobs = nullptr}},
                     Usage{.n_prompt_tokens = 9, .n_completion_tokens = 2}),
            R"({"id":"cmpl-1","object":"chat.completion","created":1700000000,"model":"tinyllama",)"
            R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},)"
            R"("logprobs":null,"finish_reason":"stop"}],)"
            R"("usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,)"
            R"("prompt_tokens_details":{"cached_tokens":0}}})");
}

TEST(ChatChunk, SendsTheRoleFirstThenContentThenAnEmptyDeltaWithTheFinishReason) {
  EXPECT_EQ(ChatChunk(kHeader, {.index = 0, .text = "", .finish_reason = std::nullopt, .logprobs = nullptr}, /*first=*/true),
            R"({"id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"tinyllama",)"
            R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})");
  EXPECT_EQ(ChatChunk(kHeader, {.index = 0, .text = "Hi", .finish_reason = std::nullopt, .logprobs = nullptr}, /*first=*/false),
            R"({"id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"tinyllama",)"
            R"("choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]})");
  EXPECT_EQ(ChatChunk(kHeader, {.index = 0, .text = "", .finish_reason = FinishReason::kStopToken, .logprobs = nullptr}, false),
            R"({"id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"tinyllama",)"
            R"("choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]})");
}

TEST(ChatUsageChunk, HasNoChoicesAndTheUsage) {
  EXPECT_EQ(ChatUsageChunk(kHeader, {.n_prompt_tokens = 1, .n_completion_tokens = 2}),
            R"({"id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"tinyllama",)"
            R"("choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,)"
            R"("prompt_tokens_details":{"cached_tokens":0}}})");
}

TEST(CompletionUsageChunk, HasNoChoicesAndTheUsage) {
  const std::string chunk = CompletionUsageChunk(kHeader, {.n_prompt_tokens = 1});
  EXPECT_NE(chunk.find(R"("object":"text_completion")"), std::string::npos);
  EXPECT_NE(chunk.find(R"("choices":[],"usage":{"prompt_tokens":1,)"), std::string::npos);
}

TEST(ChatBody, EscapesControlCharactersSoAChunkStaysOneSseLine) {
  const std::string body = ChatBody(kHeader, {{.index = 0, .text = "a\nb\r\n", .finish_reason = std::nullopt, .logprobs = nullptr}}, Usage{});
  EXPECT_EQ(body.find('\n'), std::string::npos);
  EXPECT_NE(body.find(R"("content":"a\nb\r\n")"), std::string::npos);
}

TEST(CompletionLogprobsJson, WritesParallelListsWithByteOffsetsAndANullForTheFirstEchoedToken) {
  const std::vector<LogprobEntry> tokens = {
      {.piece = "Hello", .logprob = std::nullopt, .top = {}},
      {.piece = " world", .logprob = -0.5f, .top = {{" world", -0.5f}, {" there", -1.25f}}},
  };
  EXPECT_EQ(boost::json::serialize(CompletionLogprobsJson(tokens, 3)),
            R"({"tokens":["Hello"," world"],"token_logprobs":[null,-5E-1],)"
            R"("top_logprobs":[null,{" world":-5E-1," there":-1.25E0}],"text_offset":[3,8]})");
}

TEST(ChatLogprobsJson, WritesTokensAsValidUtf8AndTheirExactBytes) {
  const std::vector<LogprobEntry> tokens = {
      {.piece = "\xE6\x97", .logprob = -1.0f, .top = {{"\xE6\x97", -1.0f}}},
  };
  EXPECT_EQ(boost::json::serialize(ChatLogprobsJson(tokens)),
            "{\"content\":[{\"token\":\"\xEF\xBF\xBD\",\"logprob\":-1E0,\"bytes\":[230,151],"
            "\"top_logprobs\":[{\"token\":\"\xEF\xBF\xBD\",\"logprob\":-1E0,\"bytes\":[230,151]}]}]}");
}

TEST(ChatLogprobsJson, WritesMinusInfinityAsTheOpenAiFloor) {
  const std::vector<LogprobEntry> tokens = {
      {.piece = "a", .logprob = -std::numeric_limits<float>::infinity(), .top = {}}};
  const boost::json::value json = ChatLogprobsJson(tokens);
  EXPECT_EQ(json.at("content").as_array()[0].at("logprob").as_double(), kLogprobFloor);
}

TEST(ChatBody, CarriesTheChoiceLogprobs) {
  Choice choice{.index = 0, .text = "a", .finish_reason = FinishReason::kStopToken,
                .logprobs = ChatLogprobsJson({{.piece = "a", .logprob = -0.25f, .top = {}}})};
  const boost::json::value body = boost::json::parse(ChatBody(kHeader, {choice}, Usage{}));
  EXPECT_EQ(body.at("choices").as_array()[0].at("logprobs").at("content").as_array()[0].at("logprob").as_double(),
            -0.25);
}

}  // namespace
}  // namespace fab::server
