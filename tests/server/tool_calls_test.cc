// Tool calls through the OpenAI handler on the tiny random-weight model with
// a hermes-style chat template: tool_choice "required" and a named function
// give message.tool_calls whose arguments are JSON that fits the tool's
// schema, finish_reason "tool_calls" and null content; parallel_tool_calls
// false gives one call; the streamed deltas (id and name first, then
// argument fragments) add up to the same calls as the whole response; a
// tool result goes back through the template with the arguments as an
// object; "auto" leaves no half-parsed marker in the content, and with a
// response_format gives calls or an answer that fits it; refusals are 400s
// naming the field.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "server/openai_handler_test_util.h"

namespace fab::server {
namespace {

namespace json = boost::json;

// Writes calls as Qwen's template does, and refuses arguments given as text
// (they must reach it as an object).
constexpr const char* kHermesTemplate = R"({%- for message in messages -%}
{%- if message.role == 'assistant' and message.tool_calls -%}
<|im_start|>assistant
{%- for tool_call in message.tool_calls %}
{%- if tool_call.function.arguments is string %}{{ raise_exception('arguments reached the template as text') }}{% endif %}
<tool_call>
{"name": "{{ tool_call.function.name }}", "arguments": {{ tool_call.function.arguments | tojson }}}
</tool_call>
{%- endfor %}<|im_end|>
{% elif message.role == 'tool' -%}
<|im_start|>user
<tool_response>
{{ message.content }}
</tool_response><|im_end|>
{% else -%}
<|im_start|>{{ message.role }}
{{ message.content }}<|im_end|>
{% endif -%}
{%- endfor -%}
{%- if tools %}<tools>{% for tool in tools %}{{ tool.function.name }} {% endfor %}</tools>{% endif -%}
<|im_start|>assistant
)";

constexpr const char* kTools = R"("tools":[
  {"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{
    "city":{"type":"string","maxLength":6},"days":{"type":"integer","minimum":1,"maximum":7}},
    "required":["city","days"],"additionalProperties":false}}},
  {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{
    "zone":{"type":"string","enum":["UTC","KST"]}},"required":["zone"]}}}])";

ChatTemplate HermesTemplate() { return ChatTemplate::Parse(kHermesTemplate).value(); }

Received Chat(TestServer& server, const std::string& extra, int seed) {
  return Send(server, PostJson("/v1/chat/completions",
                               std::string(R"({"messages":[{"role":"user","content":"weather in Seoul?"}],)") + kTools +
                                   R"(,"max_tokens":300,"temperature":1,"seed":)" + std::to_string(seed) + extra +
                                   "}"));
}

// Characters of UTF-8 text (maxLength counts code points).
size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Checks one call against its tool's schema (by hand: the fields and bounds above).
void ExpectValidCall(const json::value& call) {
  EXPECT_EQ(call.at("type"), "function");
  EXPECT_FALSE(call.at("id").as_string().empty());
  const std::string name(call.at("function").at("name").as_string());
  const json::value arguments = json::parse(call.at("function").at("arguments").as_string());
  const json::object& fields = arguments.as_object();
  if (name == "get_weather") {
    EXPECT_LE(CodePoints(fields.at("city").as_string()), 6u);
    EXPECT_GE(fields.at("days").as_int64(), 1);
    EXPECT_LE(fields.at("days").as_int64(), 7);
    EXPECT_EQ(fields.size(), 2u);
  } else {
    ASSERT_EQ(name, "get_time");
    const std::string zone(fields.at("zone").as_string());
    EXPECT_TRUE(zone == "UTC" || zone == "KST") << zone;
  }
}

TEST(ToolCalls, RequiredGivesCallsThatFitTheirSchemas) {
  TestServer server(HermesTemplate());
  for (int seed = 1; seed <= 4; ++seed) {
    Received chat = Chat(server, R"(,"tool_choice":"required")", seed);
    ASSERT_EQ(chat.response.status, 200) << chat.response.body;
    const json::value& choice = chat.json.at("choices").at(0);
    ASSERT_EQ(choice.at("finish_reason"), "tool_calls") << chat.response.body;
    const json::value& message = choice.at("message");
    EXPECT_TRUE(message.at("content").is_null()) << chat.response.body;
    ASSERT_GE(message.at("tool_calls").as_array().size(), 1u);
    for (const json::value& call : message.at("tool_calls").as_array()) ExpectValidCall(call);
  }
}

TEST(ToolCalls, ANamedFunctionWithoutParallelCallsIsCalledOnce) {
  TestServer server(HermesTemplate());
  for (int seed = 1; seed <= 3; ++seed) {
    Received chat = Chat(server, R"(,"tool_choice":{"type":"function","function":{"name":"get_time"}},"parallel_tool_calls":false)",
                         seed);
    ASSERT_EQ(chat.response.status, 200) << chat.response.body;
    const json::array& calls = chat.json.at("choices").at(0).at("message").at("tool_calls").as_array();
    ASSERT_EQ(calls.size(), 1u) << chat.response.body;
    EXPECT_EQ(calls[0].at("function").at("name"), "get_time");
    ExpectValidCall(calls[0]);
  }
}

TEST(ToolCalls, StreamedDeltasAddUpToTheWholeResponsesCalls) {
  TestServer server(HermesTemplate());
  for (int seed = 1; seed <= 3; ++seed) {
    Received whole = Chat(server, R"(,"tool_choice":"required")", seed);
    Received streamed = Chat(server, R"(,"tool_choice":"required","stream":true)", seed);
    ASSERT_TRUE(streamed.streamed);
    std::map<int64_t, json::object> calls;  // index → {id, name, arguments}
    std::string finish;
    for (const json::object& chunk : Chunks(streamed)) {
      for (const json::value& choice : chunk.at("choices").as_array()) {
        if (!choice.at("finish_reason").is_null()) finish = choice.at("finish_reason").as_string().c_str();
        const json::object& delta = choice.at("delta").as_object();
        if (!delta.contains("tool_calls")) continue;
        for (const json::value& piece : delta.at("tool_calls").as_array()) {
          json::object& call = calls[piece.at("index").as_int64()];
          if (piece.as_object().contains("id")) {
            EXPECT_FALSE(call.contains("id")) << "an id comes once, first";
            call["id"] = piece.at("id");
            call["name"] = piece.at("function").at("name");
            call["arguments"] = "";
          }
          ASSERT_TRUE(call.contains("id")) << "a call's first delta names it";
          call["arguments"] = std::string(call["arguments"].as_string()) +
                              std::string(piece.at("function").at("arguments").as_string());
        }
      }
    }
    EXPECT_EQ(finish, "tool_calls");
    const json::array& want = whole.json.at("choices").at(0).at("message").at("tool_calls").as_array();
    ASSERT_EQ(calls.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(calls[static_cast<int64_t>(i)]["name"], want[i].at("function").at("name"));
      EXPECT_EQ(calls[static_cast<int64_t>(i)]["arguments"], want[i].at("function").at("arguments"));
    }
  }
}

TEST(ToolCalls, AToolResultGoesBackThroughTheTemplateWithObjectArguments) {
  TestServer server(HermesTemplate());
  Received first = Chat(server, R"(,"tool_choice":"required","parallel_tool_calls":false)", 5);
  ASSERT_EQ(first.response.status, 200) << first.response.body;
  const json::value& call = first.json.at("choices").at(0).at("message").at("tool_calls").at(0);
  json::array messages = {json::object{{"role", "user"}, {"content", "weather in Seoul?"}},
                          json::object{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", json::array{call}}},
                          json::object{{"role", "tool"}, {"tool_call_id", call.at("id")}, {"content", "18C, clear"}}};
  const std::string body = "{\"messages\":" + json::serialize(messages) + "," + kTools +
                           R"(,"max_tokens":8,"temperature":0})";
  Received second = Send(server, PostJson("/v1/chat/completions", body));
  EXPECT_EQ(second.response.status, 200) << second.response.body;
}

TEST(ToolCalls, AutoAndNoneLeaveNoMarkerHalfParsed) {
  TestServer server(HermesTemplate());
  for (const char* choice : {R"(,"tool_choice":"auto")", R"(,"tool_choice":"none")"}) {
    for (int seed = 1; seed <= 3; ++seed) {
      Received chat = Chat(server, choice, seed);
      ASSERT_EQ(chat.response.status, 200) << chat.response.body;
      const json::value& result = chat.json.at("choices").at(0);
      const json::value& message = result.at("message");
      if (result.at("finish_reason") == "tool_calls") {
        for (const json::value& call : message.at("tool_calls").as_array()) ExpectValidCall(call);
      } else {
        EXPECT_FALSE(message.as_object().contains("tool_calls")) << chat.response.body;
      }
    }
  }
}

TEST(ToolCalls, AutoWithAResponseFormatGivesCallsOrAnAnswerThatFitsIt) {
  TestServer server(HermesTemplate());
  const std::string format =
      R"(,"tool_choice":"auto","response_format":{"type":"json_schema","json_schema":{"name":"reply","schema":{
      "type":"object","properties":{"answer":{"type":"string","maxLength":8}},"required":["answer"],
      "additionalProperties":false}}})";
  int n_answers = 0;
  for (int seed = 1; seed <= 12; ++seed) {
    Received chat = Chat(server, format, seed);
    ASSERT_EQ(chat.response.status, 200) << chat.response.body;
    const json::value& choice = chat.json.at("choices").at(0);
    if (choice.at("finish_reason") == "tool_calls") {
      for (const json::value& call : choice.at("message").at("tool_calls").as_array()) ExpectValidCall(call);
      continue;
    }
    ASSERT_EQ(choice.at("finish_reason"), "stop") << chat.response.body;
    ++n_answers;
    const json::object answer = json::parse(choice.at("message").at("content").as_string()).as_object();
    EXPECT_EQ(answer.size(), 1u);
    EXPECT_LE(CodePoints(answer.at("answer").as_string()), 8u);
  }
  EXPECT_GT(n_answers, 0);
  // The tiny model favours "{"; a bias toward "<" makes it call instead.
  TokenId angle = -1;
  for (TokenId id = 0; id < server.tokenizer().n_vocab() && angle < 0; ++id) {
    if (server.tokenizer().TokenBytes(id) == "<") angle = id;
  }
  ASSERT_GE(angle, 0);
  Received called = Chat(server, format + R"(,"logit_bias":{")" + std::to_string(angle) + R"(":100})", 1);
  ASSERT_EQ(called.response.status, 200) << called.response.body;
  ASSERT_EQ(called.json.at("choices").at(0).at("finish_reason"), "tool_calls") << called.response.body;
  for (const json::value& call : called.json.at("choices").at(0).at("message").at("tool_calls").as_array()) {
    ExpectValidCall(call);
  }
}

TEST(ToolCalls, RefusalsNameTheirField) {
  TestServer server(HermesTemplate());
  Received gbnf = Chat(server, R"(,"tool_choice":"auto","grammar":"root ::= \"a\"")", 1);
  EXPECT_EQ(gbnf.response.status, 400);
  EXPECT_EQ(gbnf.json.at("error").at("param"), "grammar") << gbnf.response.body;
  Received format = Chat(server, R"(,"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"integer","multipleOf":2}}})", 1);
  EXPECT_EQ(format.response.status, 400);
  EXPECT_EQ(format.json.at("error").at("param"), "response_format") << format.response.body;
  Received schema = Send(server, PostJson("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}],
      "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{
      "n":{"type":"integer","multipleOf":3}}}}}],"tool_choice":"required"})"));
  EXPECT_EQ(schema.response.status, 400);
  EXPECT_EQ(schema.json.at("error").at("param"), "tools") << schema.response.body;
  EXPECT_NE(std::string(schema.json.at("error").at("message").as_string()).find("multipleOf"), std::string::npos);
}

}  // namespace
}  // namespace fab::server
