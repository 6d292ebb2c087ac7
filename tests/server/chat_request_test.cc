#include "server/chat_request.h"

#include <gtest/gtest.h>

#include <string>

namespace fab::server {
namespace {

ChatRequest ParseOrDie(const std::string& body) {
  ApiResult<ChatRequest> parsed = ParseChatRequest(body);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  if (!parsed.ok()) return {};
  return std::move(parsed).value();
}

TEST(ChatRequest, ParsesASystemAndUserConversation) {
  const ChatRequest request = ParseOrDie(R"({"model":"tinyllama","messages":[
      {"role":"system","content":"You are a helpful assistant."},
      {"role":"user","content":"Hello!"}]})");
  EXPECT_EQ(request.model, "tinyllama");
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].role, "system");
  EXPECT_EQ(request.messages[0].content, "You are a helpful assistant.");
  EXPECT_EQ(request.messages[1].role, "user");
  EXPECT_EQ(request.messages[1].content, "Hello!");
  EXPECT_FALSE(request.sampling.max_tokens.has_value());
  EXPECT_FALSE(request.logprobs);
  EXPECT_TRUE(request.tools.is_null());
}

TEST(ChatRequest, JoinsTextContentPartsWithNewlines) {
  const ChatRequest request = ParseOrDie(R"({"messages":[{"role":"user","content":[
      {"type":"text","text":"first"},{"type":"text","text":"second"}]}]})");
  EXPECT_EQ(request.messages[0].content, "first\nsecond");
}

TEST(ChatRequest, AcceptsTheDeveloperRole) {
  EXPECT_EQ(ParseOrDie(R"({"messages":[{"role":"developer","content":"be brief"}]})").messages[0].role,
            "developer");
}

TEST(ChatRequest, KeepsToolsAndToolCallsAsRawJsonForTheTemplate) {
  const ChatRequest request = ParseOrDie(R"({"model":"m",
      "messages":[
        {"role":"user","content":"Weather in Paris?"},
        {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
          "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
        {"role":"tool","tool_call_id":"call_1","content":"18C"}],
      "tools":[{"type":"function","function":{"name":"get_weather","description":"d",
        "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
      "tool_choice":"auto"})");
  ASSERT_EQ(request.messages.size(), 3u);
  EXPECT_FALSE(request.messages[1].content.has_value());
  ASSERT_TRUE(request.messages[1].tool_calls.is_array());
  EXPECT_EQ(request.messages[1].tool_calls.as_array()[0].at("function").at("name").as_string(),
            "get_weather");
  EXPECT_EQ(request.messages[2].tool_call_id, "call_1");
  EXPECT_EQ(request.messages[2].content, "18C");
  ASSERT_TRUE(request.tools.is_array());
  EXPECT_EQ(request.tools.as_array()[0].at("function").at("parameters").at("required").as_array()[0].as_string(),
            "city");
  EXPECT_EQ(request.tool_choice.kind, ToolChoice::Kind::kAuto);
  EXPECT_TRUE(request.parallel_tool_calls);
}

TEST(ChatRequest, AcceptsAToolChoiceThatNamesAnOfferedFunction) {
  const ChatRequest request = ParseOrDie(R"({"messages":[{"role":"user","content":"x"}],
      "tools":[{"type":"function","function":{"name":"f"}}],
      "tool_choice":{"type":"function","function":{"name":"f"}}, "parallel_tool_calls": false})");
  EXPECT_EQ(request.tool_choice.kind, ToolChoice::Kind::kNamed);
  EXPECT_EQ(request.tool_choice.name, "f");
  EXPECT_FALSE(request.parallel_tool_calls);
  EXPECT_EQ(ParseOrDie(R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function",
      "function":{"name":"f"}}],"tool_choice":"required"})").tool_choice.kind, ToolChoice::Kind::kRequired);
  EXPECT_EQ(ParseOrDie(R"({"messages":[{"role":"user","content":"x"}],"tool_choice":"none"})").tool_choice.kind,
            ToolChoice::Kind::kNone);
}

TEST(ChatRequest, PrefersMaxCompletionTokensOverTheDeprecatedMaxTokens) {
  const ChatRequest request = ParseOrDie(
      R"({"messages":[{"role":"user","content":"x"}],"max_tokens":100,"max_completion_tokens":20})");
  EXPECT_EQ(request.sampling.max_tokens, 20);
  EXPECT_EQ(ParseOrDie(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":100})").sampling.max_tokens,
            100);
}

TEST(ChatRequest, ReadsLogprobsAndTopLogprobs) {
  const ChatRequest request =
      ParseOrDie(R"({"messages":[{"role":"user","content":"x"}],"logprobs":true,"top_logprobs":5})");
  EXPECT_TRUE(request.logprobs);
  EXPECT_EQ(request.top_logprobs, 5);
}

TEST(ChatRequest, ReadsTheStreamingSdkBody) {
  const ChatRequest request = ParseOrDie(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "stream":true,"stream_options":{"include_usage":true},"temperature":0.2,"seed":42,
      "stop":["</s>"],"n":2,"user":"u-1","priority":"interactive","frequency_penalty":0.1})");
  EXPECT_TRUE(request.sampling.stream);
  EXPECT_TRUE(request.sampling.include_usage);
  EXPECT_EQ(request.sampling.seed, 42);
  EXPECT_EQ(request.sampling.n, 2);
  EXPECT_EQ(request.sampling.stop, std::vector<std::string>{"</s>"});
  EXPECT_EQ(request.sampling.priority, Priority::kInteractive);
}

TEST(ChatRequest, AllowsEmptyStringContentAndAnAssistantWithoutContent) {
  const ChatRequest request = ParseOrDie(
      R"({"messages":[{"role":"user","content":""},{"role":"assistant"}]})");
  EXPECT_EQ(request.messages[0].content, "");
  EXPECT_FALSE(request.messages[1].content.has_value());
}

TEST(ChatRequest, IgnoresUnknownFieldsOnTheRequestAndOnMessages) {
  const ChatRequest request = ParseOrDie(
      R"({"messages":[{"role":"user","content":"x","refusal":null,"extra":{"a":1}}],)"
      R"("response_format":{"type":"text"},"parallel_tool_calls":true,"store":false})");
  EXPECT_EQ(request.messages.size(), 1u);
}

}  // namespace
}  // namespace fab::server
