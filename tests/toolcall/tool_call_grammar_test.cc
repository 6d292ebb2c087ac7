// ToolCallGbnf: the region grammar of each family accepts calls to the
// offered tools with arguments that fit their schemas, and nothing else:
// not another name, not arguments outside the schema, not a second call
// when parallel calls are off; a refused schema names its tool.
#include "toolcall/tool_call_grammar.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>

#include "grammar/gbnf.h"
#include "grammar/matcher.h"

namespace fab::toolcall {
namespace {

namespace json = boost::json;

const json::value kWeather = json::parse(R"({"type": "object", "properties": {"city": {"type": "string",
    "maxLength": 12}, "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"],
    "additionalProperties": false})");

// True when `text` is a whole sentence of `gbnf`.
bool Accepts(const std::string& gbnf, const std::string& text) {
  auto compiled = grammar::CompiledGrammar::Compile(grammar::ParseGbnf(gbnf).value()).value();
  grammar::GrammarMatcher matcher(compiled);
  return matcher.AcceptBytes(text) && matcher.IsComplete();
}

std::string Gbnf(const ToolCallSyntax& syntax, ToolGrammarOptions options) {
  StatusOr<std::string> gbnf = ToolCallGbnf(
      syntax, {{"get_weather", &kWeather, "tools[0].function.parameters"}, {"ping", nullptr, "tools[1]"}}, options);
  EXPECT_TRUE(gbnf.ok()) << gbnf.status().ToString();
  return gbnf.ok() ? gbnf.value() : "";
}

const std::string kCall = R"({"name": "get_weather", "arguments": {"city": "Seoul", "days": 3}})";

TEST(ToolCallGrammarTest, HermesRegionsHoldCallsToTheOfferedToolsWithFittingArguments) {
  const std::string gbnf = Gbnf(HermesSyntax(), {.parallel = true, .from_trigger = true});
  EXPECT_TRUE(Accepts(gbnf, "<tool_call>\n" + kCall + "\n</tool_call>"));
  EXPECT_TRUE(Accepts(gbnf, "<tool_call>\n" + kCall + "\n</tool_call>\n<tool_call>\n{\"name\": \"ping\", "
                            "\"arguments\": {}}\n</tool_call>"));
  EXPECT_FALSE(Accepts(gbnf, "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>"));
  EXPECT_FALSE(Accepts(gbnf, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Seoul\", "
                             "\"days\": 9}}\n</tool_call>"));
  EXPECT_FALSE(Accepts(gbnf, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"days\": 3}}\n</tool_call>"));
}

TEST(ToolCallGrammarTest, WithoutParallelCallsOneCallIsAll) {
  const std::string gbnf = Gbnf(HermesSyntax(), {.parallel = false, .from_trigger = true});
  EXPECT_TRUE(Accepts(gbnf, "<tool_call>\n" + kCall + "\n</tool_call>"));
  EXPECT_FALSE(Accepts(gbnf, "<tool_call>\n" + kCall + "\n</tool_call>\n<tool_call>\n" + kCall + "\n</tool_call>"));
}

TEST(ToolCallGrammarTest, ALazyGrammarStartsRightAfterTheTrigger) {
  const std::string gbnf = Gbnf(HermesSyntax(), {.parallel = true, .from_trigger = false});
  EXPECT_TRUE(Accepts(gbnf, "\n" + kCall + "\n</tool_call>"));
  EXPECT_FALSE(Accepts(gbnf, "<tool_call>\n" + kCall + "\n</tool_call>"));
}

TEST(ToolCallGrammarTest, EachFamilyWritesItsOwnRegion) {
  const ToolCallSyntax mistral = DetectToolCallSyntax("[TOOL_CALLS]").value();
  EXPECT_TRUE(Accepts(Gbnf(mistral, {}), "[TOOL_CALLS][" + kCall + ", {\"name\": \"ping\", \"arguments\": {}}]"));
  const ToolCallSyntax llama = DetectToolCallSyntax("<|start_header_id|> \"parameters\": ").value();
  const std::string llama_call = R"({"name": "get_weather", "parameters": {"city": "Seoul", "days": 3}})";
  EXPECT_TRUE(Accepts(Gbnf(llama, {}), llama_call));
  EXPECT_FALSE(Accepts(Gbnf(llama, {}), llama_call + llama_call)) << "the template allows one call per turn";
  const ToolCallSyntax deepseek = DetectToolCallSyntax("<｜tool▁calls▁begin｜>").value();
  EXPECT_TRUE(Accepts(Gbnf(deepseek, {}),
                      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>ping\n```json\n{}\n```"
                      "<｜tool▁call▁end｜><｜tool▁calls▁end｜>"));
}

TEST(ToolCallGrammarTest, AnAnswerAlternativeAllowsTheAnswerOrTheCalls) {
  const json::value answer = json::parse(R"({"type": "object", "properties": {"ok": {"type": "boolean"}},
      "required": ["ok"], "additionalProperties": false})");
  ToolGrammarOptions options;
  options.answer = &answer;
  const std::string gbnf = Gbnf(HermesSyntax(), options);
  EXPECT_TRUE(Accepts(gbnf, R"({"ok": true})"));
  EXPECT_TRUE(Accepts(gbnf, "<tool_call>\n" + kCall + "\n</tool_call>"));
  EXPECT_FALSE(Accepts(gbnf, R"({"ok": true})" + std::string("<tool_call>\n") + kCall + "\n</tool_call>"));
  EXPECT_FALSE(Accepts(gbnf, R"({"ok": 1})"));
}

TEST(ToolCallGrammarTest, ARefusedSchemaNamesItsTool) {
  const json::value bad = json::parse(R"({"type": "object", "properties": {"a": {"type": "integer",
      "multipleOf": 3}}})");
  StatusOr<std::string> gbnf =
      ToolCallGbnf(HermesSyntax(), {{"ok", nullptr, "tools[0].function.parameters"},
                                    {"bad", &bad, "tools[1].function.parameters"}}, {});
  ASSERT_FALSE(gbnf.ok());
  EXPECT_NE(gbnf.status().message().find("tools[1].function.parameters"), std::string::npos)
      << gbnf.status().message();
  EXPECT_NE(gbnf.status().message().find("multipleOf"), std::string::npos) << gbnf.status().message();
}

TEST(ToolCallGrammarTest, FamiliesAreReadFromTheTemplatesOwnMarkers) {
  EXPECT_EQ(DetectToolCallSyntax("{%- if tools %}<tool_call>{% endif %}")->family, "hermes");
  EXPECT_EQ(DetectToolCallSyntax("[AVAILABLE_TOOLS] [TOOL_CALLS]")->family, "mistral");
  EXPECT_EQ(DetectToolCallSyntax("<｜tool▁calls▁begin｜>")->family, "deepseek3");
  EXPECT_EQ(DetectToolCallSyntax("<|start_header_id|>ipython \"parameters\": ")->family, "llama3");
  EXPECT_FALSE(DetectToolCallSyntax("<|start_header_id|>{{ message.content }}<|eot_id|>"));
  for (const ToolCallSyntax& syntax : {HermesSyntax(), DetectToolCallSyntax("[TOOL_CALLS]").value()}) {
    EXPECT_EQ(syntax.lead().substr(0, syntax.trigger.size()), syntax.trigger) << syntax.family;
  }
}

}  // namespace
}  // namespace fab::toolcall
