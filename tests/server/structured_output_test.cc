// Structured output through the OpenAI handler on the tiny random-weight
// model: response_format json_schema and json_object, GBNF `grammar`, vLLM's
// guided_json and guided_choice, streamed and not, at temperature 1: every
// answer that stops is text the grammar accepts (and JSON where asked), and
// ends with finish_reason "stop". Refusals are 400s naming the field:
// unsupported schema keywords, malformed GBNF, two constraints at once,
// regex.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "grammar/gbnf.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "server/openai_handler_test_util.h"

namespace fab::server {
namespace {

namespace json = boost::json;

constexpr const char* kMessages = R"("messages":[{"role":"user","content":"describe a cat"}])";
constexpr const char* kSchema = R"({"type":"object","properties":{"name":{"type":"string","maxLength":8},
  "lives":{"type":"integer","minimum":1,"maximum":9},"indoor":{"type":"boolean"}},"required":["name","lives","indoor"]})";

bool GrammarAccepts(const std::string& gbnf, const std::string& text) {
  grammar::GrammarMatcher matcher(grammar::CompiledGrammar::Compile(grammar::ParseGbnf(gbnf).value()).value());
  return matcher.AcceptBytes(text) && matcher.IsComplete();
}

std::string SchemaGbnf() { return grammar::JsonSchemaToGbnf(json::parse(kSchema)).value(); }

Received Chat(TestServer& server, const std::string& extra, int seed) {
  return Send(server, PostJson("/v1/chat/completions", std::string("{") + kMessages +
                                                           R"(,"max_tokens":120,"temperature":1,"seed":)" +
                                                           std::to_string(seed) + extra + "}"));
}

TEST(StructuredOutput, JsonSchemaResponseFormatGivesValidJsonThatStops) {
  TestServer server;
  const std::string format = std::string(R"(,"response_format":{"type":"json_schema","json_schema":{"name":"cat","strict":true,"schema":)") +
                             kSchema + "}}";
  for (int seed = 1; seed <= 4; ++seed) {
    Received chat = Chat(server, format, seed);
    ASSERT_EQ(chat.response.status, 200) << chat.response.body;
    const json::value& choice = chat.json.at("choices").at(0);
    const std::string content(choice.at("message").at("content").as_string());
    EXPECT_EQ(choice.at("finish_reason"), "stop") << content;
    EXPECT_TRUE(GrammarAccepts(SchemaGbnf(), content)) << content;
    const json::object parsed = json::parse(content).as_object();
    EXPECT_TRUE(parsed.contains("name") && parsed.contains("lives") && parsed.contains("indoor")) << content;
  }
}

TEST(StructuredOutput, StreamedDeltasAddUpToValidJson) {
  TestServer server;
  Received streamed = Chat(server, std::string(R"(,"stream":true,"guided_json":)") + kSchema, 7);
  ASSERT_TRUE(streamed.streamed);
  const std::string content = StreamedText(streamed, 0, "content");
  EXPECT_TRUE(GrammarAccepts(SchemaGbnf(), content)) << content;
}

TEST(StructuredOutput, JsonObjectGbnfAndChoiceConstrainCompletions) {
  TestServer server;
  Received object = Chat(server, R"(,"response_format":{"type":"json_object"})", 3);
  ASSERT_EQ(object.response.status, 200) << object.response.body;
  const std::string content(object.json.at("choices").at(0).at("message").at("content").as_string());
  if (object.json.at("choices").at(0).at("finish_reason") == "stop") {
    EXPECT_TRUE(json::parse(content).is_object()) << content;
  }

  const std::string gbnf = R"(root ::= "temp=" [0-9]{1,3} "C" (", " ("sunny" | "rain"))?)";
  Received completion = Send(server, PostJson("/v1/completions", R"({"prompt":"weather:","max_tokens":40,"temperature":1,"seed":5,"grammar":)" +
                                                                     json::serialize(json::string(gbnf)) + "}"));
  ASSERT_EQ(completion.response.status, 200) << completion.response.body;
  const std::string text(completion.json.at("choices").at(0).at("text").as_string());
  EXPECT_EQ(completion.json.at("choices").at(0).at("finish_reason"), "stop") << text;
  EXPECT_TRUE(GrammarAccepts(gbnf, text)) << text;

  Received choice = Send(server, PostJson("/v1/completions", R"({"prompt":"pick:","max_tokens":20,"temperature":1,"seed":2,
      "guided_choice":["north","south","east \"quoted\""]})"));
  ASSERT_EQ(choice.response.status, 200) << choice.response.body;
  const std::string picked(choice.json.at("choices").at(0).at("text").as_string());
  EXPECT_TRUE(picked == "north" || picked == "south" || picked == "east \"quoted\"") << picked;
}

TEST(StructuredOutput, RegexAndSchemaPatternsGiveMatchingText) {
  TestServer server;
  const std::string pattern = "[A-Z][a-z]{2,5} [0-9]{3}-[0-9]{4}";
  const std::regex reference(pattern, std::regex::ECMAScript);
  for (int seed = 1; seed <= 3; ++seed) {
    Received completion = Send(server, PostJson("/v1/completions", R"({"prompt":"call:","max_tokens":60,"temperature":1,"seed":)" +
                                                                       std::to_string(seed) + R"(,"regex":)" +
                                                                       json::serialize(json::string(pattern)) + "}"));
    ASSERT_EQ(completion.response.status, 200) << completion.response.body;
    const std::string text(completion.json.at("choices").at(0).at("text").as_string());
    EXPECT_EQ(completion.json.at("choices").at(0).at("finish_reason"), "stop") << text;
    EXPECT_TRUE(std::regex_match(text, reference)) << text;

    Received chat = Chat(server, R"(,"guided_regex":"(yes|no), [0-9]{2}")", seed);
    ASSERT_EQ(chat.response.status, 200) << chat.response.body;
    const std::string answer(chat.json.at("choices").at(0).at("message").at("content").as_string());
    EXPECT_TRUE(std::regex_match(answer, std::regex("(yes|no), [0-9]{2}"))) << answer;

    Received schema = Chat(server, R"(,"guided_json":{"type":"object","properties":{"code":{"type":"string","pattern":"^[a-z]{3}-\\d{2}$"}},"required":["code"]})",
                           seed);
    ASSERT_EQ(schema.response.status, 200) << schema.response.body;
    const std::string content(schema.json.at("choices").at(0).at("message").at("content").as_string());
    const std::string code(json::parse(content).at("code").as_string());
    EXPECT_TRUE(std::regex_match(code, std::regex("[a-z]{3}-\\d{2}"))) << content;
  }
}

TEST(StructuredOutput, RefusalsAre400sNamingTheField) {
  TestServer server;
  struct Case {
    std::string extra;
    std::string param;
    std::string message_part;
  };
  const Case cases[] = {
      {R"(,"response_format":{"type":"json_schema","json_schema":{"schema":{"type":"string","not":{"const":"a"}}}})",
       "response_format", "keyword 'not' is not supported"},
      {R"(,"response_format":{"type":"xml"})", "response_format", "must be \"text\""},
      {R"(,"response_format":{"type":"json_schema"})", "response_format", "'response_format.json_schema'"},
      {R"(,"grammar":"root ::= (\"a\"")", "grammar", "GBNF line 1"},
      {R"(,"grammar":"root ::= \"a\"","guided_json":{"type":"object"})", "guided_json", "both constrain"},
      {R"(,"regex":"(?=a)b")", "regex", "lookaround"},
      {R"(,"guided_regex":"a","grammar":"root ::= \"a\"")", "guided_regex", "both constrain"},
      {R"(,"guided_json":"{not json")", "guided_json", "not JSON"},
      {R"(,"guided_choice":[])", "guided_choice", "non-empty array"},
  };
  for (const Case& c : cases) {
    Received received = Chat(server, c.extra, 1);
    EXPECT_EQ(received.response.status, 400) << c.extra << " " << received.response.body;
    EXPECT_EQ(received.json.at("error").at("param"), c.param.c_str()) << c.extra;
    EXPECT_NE(std::string(received.json.at("error").at("message").as_string()).find(c.message_part), std::string::npos)
        << c.extra << " " << received.response.body;
  }
  EXPECT_EQ(Chat(server, R"(,"response_format":{"type":"text"})", 1).response.status, 200);
}

}  // namespace
}  // namespace fab::server
