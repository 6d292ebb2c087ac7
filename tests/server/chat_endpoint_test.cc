// POST /v1/chat/completions through OpenAiHandler::Handle on the tiny
// synthesized model, with a template given by the test or the fallback.
#include "server/chat_endpoint.h"

#include <gtest/gtest.h>

#include "server/openai_handler_test_util.h"

namespace fab::server {
namespace {

namespace json = boost::json;

constexpr const char* kTaggedTemplate =
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}";
constexpr const char* kMessages = R"("messages":[{"role":"system","content":"be brief"},{"role":"user","content":"the cat"}])";

ChatTemplate Template(const char* source) {
  StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(source);
  FAB_CHECK(parsed.ok()) << parsed.status().ToString();
  return std::move(parsed).value();
}

std::string ContentOf(const Received& received) {
  return received.json.at("choices").at(0).at("message").at("content").as_string().c_str();
}

Received Chat(TestServer& server, const std::string& extra) {
  return Send(server, PostJson("/v1/chat/completions",
                               std::string("{") + kMessages + R"(,"max_tokens":10,"temperature":0)" + extra + "}"));
}

TEST(ChatEndpoint, GeneratesFromTheRenderedTemplate) {
  TestServer server(Template(kTaggedTemplate));
  Received chat = Chat(server, "");
  ASSERT_EQ(chat.response.status, 200) << chat.response.body;
  EXPECT_EQ(chat.json.at("object"), "chat.completion");
  EXPECT_TRUE(chat.json.at("id").as_string().starts_with("chatcmpl-"));
  EXPECT_EQ(chat.json.at("choices").at(0).at("message").at("role"), "assistant");

  // The same ids as a plain completion give the same greedy text.
  Received tokenized = Send(server, PostJson("/tokenize", std::string("{") + kMessages + "}"));
  ASSERT_EQ(tokenized.response.status, 200);
  const json::array& ids = tokenized.json.at("tokens").as_array();
  EXPECT_EQ(ids.at(0), server.tokenizer().bos_id());
  EXPECT_NE(ids.at(1), server.tokenizer().bos_id());  // the template's bos_token is not doubled
  EXPECT_EQ(chat.json.at("usage").at("prompt_tokens"), static_cast<int64_t>(ids.size()));
  Received completion = Send(server, PostJson("/v1/completions", R"({"prompt":)" + json::serialize(ids) +
                                                                      R"(,"max_tokens":10,"temperature":0})"));
  EXPECT_EQ(ContentOf(chat), completion.json.at("choices").at(0).at("text").as_string().c_str());
}

TEST(ChatEndpoint, StreamsRoleThenContentThenFinishThenUsage) {
  TestServer server(Template(kTaggedTemplate));
  Received whole = Chat(server, "");
  Received streamed = Chat(server, R"(,"stream":true,"stream_options":{"include_usage":true})");
  ASSERT_TRUE(streamed.streamed);
  const std::vector<json::object> chunks = Chunks(streamed);
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(streamed.events.back(), "[DONE]");
  EXPECT_EQ(chunks.front().at("object"), "chat.completion.chunk");
  EXPECT_EQ(chunks.front().at("choices").at(0).at("delta").at("role"), "assistant");
  const json::object& last_choice_chunk = chunks[chunks.size() - 2];
  EXPECT_EQ(last_choice_chunk.at("choices").at(0).at("finish_reason"),
            whole.json.at("choices").at(0).at("finish_reason"));
  EXPECT_TRUE(chunks.back().at("choices").as_array().empty());
  const json::value& usage = chunks.back().at("usage");
  EXPECT_EQ(usage.at("prompt_tokens"), whole.json.at("usage").at("prompt_tokens"));
  EXPECT_EQ(usage.at("completion_tokens"), whole.json.at("usage").at("completion_tokens"));
  // The second run of one prompt finds its full blocks in the prefix cache.
  EXPECT_GT(usage.at("prompt_tokens_details").at("cached_tokens").as_int64(), 0);
  EXPECT_LT(usage.at("prompt_tokens_details").at("cached_tokens").as_int64(), usage.at("prompt_tokens").as_int64());
  EXPECT_EQ(StreamedText(streamed, 0, "content"), ContentOf(whole));
}

TEST(ChatEndpoint, UsesTheFallbackTemplateWithoutOne) {
  TestServer server;
  EXPECT_EQ(Chat(server, "").response.status, 200);
  Received tokenized = Send(server, PostJson("/tokenize", std::string("{") + kMessages + "}"));
  Received text = Send(server, PostJson("/detokenize", R"({"tokens":)" + json::serialize(tokenized.json.at("tokens")) + "}"));
  EXPECT_EQ(text.json.at("prompt"), "system: be brief\n\nuser: the cat\n\nassistant:");
}

TEST(ChatEndpoint, AnswersTemplateErrorsWith400) {
  TestServer server(Template("{{ raise_exception('only user messages') }}"));
  Received received = Chat(server, "");
  EXPECT_EQ(received.response.status, 400);
  EXPECT_EQ(received.json.at("error").at("param"), "messages");
}

TEST(ChatEndpoint, ReportsLogprobsInTheChatFormat) {
  TestServer server(Template(kTaggedTemplate));
  Received received = Chat(server, R"(,"logprobs":true,"top_logprobs":2)");
  ASSERT_EQ(received.response.status, 200) << received.response.body;
  const json::array& content = received.json.at("choices").at(0).at("logprobs").at("content").as_array();
  ASSERT_FALSE(content.empty());
  for (const auto& entry : content) {
    EXPECT_TRUE(entry.at("token").is_string());
    EXPECT_LE(entry.at("logprob").as_double(), 0.0);
    EXPECT_TRUE(entry.at("bytes").is_array());
    EXPECT_EQ(entry.at("top_logprobs").as_array().size(), 2u);
  }
}

TEST(ChatEndpoint, RefusesABudgetOverTheContext) {
  TestServer server(Template(kTaggedTemplate));
  Received received = Chat(server, R"(,"max_completion_tokens":600)");
  EXPECT_EQ(received.response.status, 400);
  EXPECT_EQ(received.json.at("error").at("code"), "context_length_exceeded");
}

}  // namespace
}  // namespace fab::server
