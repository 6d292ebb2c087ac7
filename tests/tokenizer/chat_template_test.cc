// ChatTemplate: the variables Hugging Face passes (messages, tools as None
// when absent, add_generation_prompt, special tokens, extra kwargs), one
// parse serving many renders, and errors surfacing as Status.
#include "tokenizer/chat_template.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace fab {
namespace {

ChatTemplateInputs Conversation() {
  ChatTemplateInputs inputs;
  inputs.messages = boost::json::parse(R"([{"role": "system", "content": "Be brief."},
                                           {"role": "user", "content": "안녕하세요"}])").as_array();
  return inputs;
}

TEST(ChatTemplate, RendersMessagesAndTheGenerationPrompt) {
  const char* source =
      "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}"
      "{% if add_generation_prompt %}<|assistant|>{% endif %}";
  ChatTemplateInputs inputs = Conversation();
  EXPECT_EQ(*RenderChatTemplate(source, inputs), "<|system|>Be brief.\n<|user|>안녕하세요\n<|assistant|>");
  inputs.add_generation_prompt = false;
  EXPECT_EQ(*RenderChatTemplate(source, inputs), "<|system|>Be brief.\n<|user|>안녕하세요\n");
}

TEST(ChatTemplate, ToolsAreNoneWhenAbsentAndAListWhenGiven) {
  const char* source = "{{ tools is none }} {{ tools is defined }}{% if tools %} {{ tools[0].function.name }}{% endif %}";
  ChatTemplateInputs inputs = Conversation();
  EXPECT_EQ(*RenderChatTemplate(source, inputs), "True True");
  inputs.tools = boost::json::parse(R"([{"type": "function", "function": {"name": "get_weather"}}])").as_array();
  EXPECT_EQ(*RenderChatTemplate(source, inputs), "False True get_weather");
}

TEST(ChatTemplate, SpecialTokensAreUndefinedUnlessGiven) {
  const char* source = "[{{ bos_token }}]{{ bos_token is defined }}[{{ eos_token }}]";
  ChatTemplateInputs inputs = Conversation();
  EXPECT_EQ(*RenderChatTemplate(source, inputs), "[]False[]");
  inputs.bos_token = "<s>";
  inputs.eos_token = "</s>";
  EXPECT_EQ(*RenderChatTemplate(source, inputs), "[<s>]True[</s>]");
}

TEST(ChatTemplate, ExtraKeywordArgumentsBecomeVariables) {
  const char* source = "{% if enable_thinking is defined and not enable_thinking %}<think></think>{% endif %}{{ effort }}";
  ChatTemplateInputs inputs = Conversation();
  inputs.extra = boost::json::parse(R"({"enable_thinking": false, "effort": "high"})").as_object();
  EXPECT_EQ(*RenderChatTemplate(source, inputs), "<think></think>high");
}

TEST(ChatTemplate, OneParseServesManyRenders) {
  StatusOr<ChatTemplate> compiled = ChatTemplate::Parse("{{ messages|length }}:{{ messages[-1].content }}");
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  ChatTemplateInputs inputs = Conversation();
  EXPECT_EQ(*compiled->Render(inputs), "2:안녕하세요");
  inputs.messages.emplace_back(boost::json::parse(R"({"role": "assistant", "content": "네"})"));
  EXPECT_EQ(*compiled->Render(inputs), "3:네");
}

TEST(ChatTemplate, TemplateErrorsComeBackAsStatus) {
  ChatTemplateInputs inputs = Conversation();
  StatusOr<std::string> raised = RenderChatTemplate("{{ raise_exception('Only user and assistant roles') }}", inputs);
  ASSERT_FALSE(raised.ok());
  EXPECT_EQ(raised.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(raised.status().message(), "Only user and assistant roles");
  StatusOr<std::string> syntax = RenderChatTemplate("{% for m in messages %}", inputs);
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("line 1:"), std::string::npos) << syntax.status().ToString();
  TemplateLimits limits;
  limits.max_steps = 100;
  StatusOr<std::string> capped = RenderChatTemplate("{% for i in range(1000) %}{{ i }}{% endfor %}", inputs, limits);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.status().code(), StatusCode::kResourceExhausted);
}

TEST(ChatTemplate, StrftimeNowReadsTheInjectedClock) {
  ChatTemplateInputs inputs = Conversation();
  inputs.now = [] {
    std::tm t{};
    t.tm_year = 124;
    t.tm_mon = 6;
    t.tm_mday = 26;
    return t;
  };
  EXPECT_EQ(*RenderChatTemplate("{{ strftime_now('%d %b %Y') }}", inputs), "26 Jul 2024");
}

}  // namespace
}  // namespace fab
