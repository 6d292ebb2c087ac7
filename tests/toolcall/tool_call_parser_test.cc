// ToolCallParser: each family's region becomes calls (name, then argument
// fragments) and the text around it content, the same whether the output
// arrives whole or byte by byte; markers are never shown in part; think
// blocks and text that only resembles a trigger stay content.
#include "toolcall/tool_call_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "toolcall/tool_call_syntax.h"

namespace fab::toolcall {
namespace {

struct Parsed {
  std::string content;
  std::vector<std::string> names;
  std::vector<std::string> arguments;
};

Parsed Collect(const std::vector<ToolCallEvent>& events) {
  Parsed parsed;
  for (const ToolCallEvent& event : events) {
    switch (event.kind) {
      case ToolCallEvent::Kind::kContent:
        parsed.content += event.text;
        break;
      case ToolCallEvent::Kind::kCallBegin:
        EXPECT_EQ(event.call, parsed.names.size());
        parsed.names.push_back(event.text);
        parsed.arguments.emplace_back();
        break;
      case ToolCallEvent::Kind::kArguments:
        EXPECT_LT(event.call, parsed.arguments.size());
        if (event.call < parsed.arguments.size()) parsed.arguments[event.call] += event.text;
        break;
    }
  }
  return parsed;
}

Parsed ParseWhole(const ToolCallSyntax& syntax, const std::string& output, bool in_think = false) {
  ToolCallParser parser(syntax, in_think);
  std::vector<ToolCallEvent> events;
  parser.Push(output, &events);
  parser.Finish(&events);
  return Collect(events);
}

Parsed ParseByteByByte(const ToolCallSyntax& syntax, const std::string& output, bool in_think = false) {
  ToolCallParser parser(syntax, in_think);
  std::vector<ToolCallEvent> events;
  for (char c : output) parser.Push(std::string(1, c), &events);
  parser.Finish(&events);
  return Collect(events);
}

ToolCallSyntax Family(const std::string& template_marker) {
  return DetectToolCallSyntax(template_marker).value();
}

const std::string kLlamaTemplate = R"(<|start_header_id|>ipython{{- '"parameters": ' }})";

void ExpectSameEitherWay(const ToolCallSyntax& syntax, const std::string& output, const Parsed& want,
                         bool in_think = false) {
  for (const Parsed& got : {ParseWhole(syntax, output, in_think), ParseByteByByte(syntax, output, in_think)}) {
    EXPECT_EQ(got.content, want.content) << output;
    EXPECT_EQ(got.names, want.names) << output;
    EXPECT_EQ(got.arguments, want.arguments) << output;
  }
}

TEST(ToolCallParserTest, HermesCallsBecomeCallsAndTheTextBeforeThemContent) {
  ExpectSameEitherWay(HermesSyntax(),
                      "Let me look.<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Seoul\"}}\n"
                      "</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"KST\"}}\n"
                      "</tool_call>",
                      {"Let me look.", {"get_weather", "get_time"}, {R"({"city": "Seoul"})", R"({"zone": "KST"})"}});
}

TEST(ToolCallParserTest, ArgumentsWithBracesInsideStringsEndAtTheirOwnClosingBrace) {
  ExpectSameEitherWay(HermesSyntax(),
                      "<tool_call>\n{\"name\": \"echo\", \"arguments\": {\"text\": \"}]\\\"{\", \"n\": [1, {\"a\": "
                      "2}]}}\n</tool_call>",
                      {"", {"echo"}, {R"({"text": "}]\"{", "n": [1, {"a": 2}]})"}});
}

TEST(ToolCallParserTest, MistralCallsAreOneBracketedList) {
  ExpectSameEitherWay(Family("[TOOL_CALLS]"),
                      "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b-2\", \"arguments\": {\"x\": "
                      "1}}]",
                      {"", {"a", "b-2"}, {"{}", R"({"x": 1})"}});
}

TEST(ToolCallParserTest, DeepSeekCallsUseTheirFencedJsonForm) {
  ExpectSameEitherWay(Family("<｜tool▁calls▁begin｜>"),
                      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>lookup\n```json\n{\"q\": "
                      "\"x\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
                      {"", {"lookup"}, {R"({"q": "x"})"}});
}

TEST(ToolCallParserTest, LlamaJsonCountsOnlyAtTheStartOfTheAnswer) {
  const ToolCallSyntax llama = Family(kLlamaTemplate);
  ExpectSameEitherWay(llama, "{\"name\": \"f\", \"parameters\": {\"k\": true}}", {"", {"f"}, {R"({"k": true})"}});
  ExpectSameEitherWay(llama, "\n{\"name\": \"f\", \"parameters\": {}}", {"\n", {"f"}, {"{}"}});
  const std::string quoted = "As JSON: {\"name\": \"f\", \"parameters\": {}}";
  ExpectSameEitherWay(llama, quoted, {quoted, {}, {}});
}

TEST(ToolCallParserTest, ATriggerInsideAThinkBlockIsContent) {
  const std::string thought = "<think>maybe <tool_call> later</think>\n\n";
  ExpectSameEitherWay(HermesSyntax(),
                      thought + "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>",
                      {thought, {"f"}, {"{}"}});
  // A block the template opened: the output starts inside it.
  ExpectSameEitherWay(HermesSyntax(), "hmm <tool_call></think><tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>",
                      {"hmm <tool_call></think>", {"f"}, {"{}"}}, /*in_think=*/true);
}

TEST(ToolCallParserTest, APartOfATriggerIsHeldBackUntilItIsKnownNotToBeOne) {
  ToolCallParser parser(HermesSyntax(), false);
  std::vector<ToolCallEvent> events;
  parser.Push("a <tool_c", &events);
  EXPECT_EQ(Collect(events).content, "a ");
  parser.Push("ar", &events);
  EXPECT_EQ(Collect(events).content, "a <tool_car");
  parser.Push(" <tool", &events);
  parser.Finish(&events);
  EXPECT_EQ(Collect(events).content, "a <tool_car <tool");
}

TEST(ToolCallParserTest, ARegionThatStopsFittingTheSyntaxBecomesContent) {
  const std::string broken = "<tool_call>\n{\"nome\": 1}";
  ExpectSameEitherWay(HermesSyntax(), "x" + broken, {"x" + broken, {}, {}});
}

TEST(ToolCallParserTest, ACallCutShortKeepsWhatWasAnnounced) {
  ExpectSameEitherWay(HermesSyntax(), "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": \"unfinish",
                      {"", {"f"}, {R"({"a": "unfinish)"}});
  // Cut between calls: the start of the next one is not content.
  ExpectSameEitherWay(HermesSyntax(), "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>\n<tool_ca",
                      {"", {"f"}, {"{}"}});
}

TEST(ToolCallParserTest, TheRegionStartAndTheThinkEndAreByteOffsetsOfTheOutput) {
  ToolCallParser parser(HermesSyntax(), false);
  std::vector<ToolCallEvent> events;
  parser.Push("<think>a</think>", &events);
  EXPECT_EQ(parser.think_end(), 16u);
  EXPECT_FALSE(parser.region_start());
  parser.Push("ok <tool_call>\n{", &events);
  EXPECT_EQ(parser.region_start(), 19u);
}

}  // namespace
}  // namespace fab::toolcall
