// GBNF text compiles to a Grammar that the matcher runs: literals, classes
// (UTF-8 ranges, negation, escapes), groups, repetition with bounds,
// comments and continuation lines; malformed grammars are refused with the
// line and column, never compiled partly.
#include "grammar/gbnf.h"

#include <gtest/gtest.h>

#include <string>

#include "grammar/matcher.h"
#include "grammar/matcher_for.h"

namespace fab::grammar {
namespace {

// True when the whole of `text` is a sentence of `gbnf`.
bool Matches(std::string_view gbnf, std::string_view text) {
  GrammarMatcher matcher = MatcherFor(gbnf);
  return matcher.AcceptBytes(text) && matcher.IsComplete();
}

std::string RefusalOf(std::string_view gbnf) {
  auto grammar = ParseGbnf(gbnf);
  EXPECT_FALSE(grammar.ok()) << gbnf;
  return grammar.ok() ? "" : grammar.status().message();
}

constexpr std::string_view kJson = R"(# JSON, as llama.cpp's examples write it
root   ::= object
value  ::= object | array | string | number | ("true" | "false" | "null") ws

object ::=
  "{" ws (
            string ":" ws value
    ("," ws string ":" ws value)*
  )? "}" ws

array  ::=
  "[" ws (
            value
    ("," ws value)*
  )? "]" ws

string ::=
  "\"" (
    [^"\\\x7F\x00-\x1F] |
    "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
  )* "\"" ws

number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

ws ::= | " " | "\n" [ \t]{0,20}
)";

TEST(Gbnf, JsonGrammarAcceptsDocumentsAndRefusesBrokenOnes) {
  EXPECT_TRUE(Matches(kJson, R"({"a": [1, 2.5e3, true, null, "x\u00e9\n"], "b": {}})"));
  EXPECT_TRUE(Matches(kJson, "{\"한국어\": \"토큰\"}"));
  EXPECT_FALSE(Matches(kJson, R"({"a": })"));
  EXPECT_FALSE(Matches(kJson, R"({"a": 1,})"));
  EXPECT_FALSE(Matches(kJson, R"({"a": "unterminated)"));
  EXPECT_FALSE(Matches(kJson, "{\"a\": \"\x01\"}"));  // control characters must be escaped
}

TEST(Gbnf, RepetitionBoundsAreExact) {
  constexpr std::string_view kDigits = "root ::= [0-9]{2,4}";
  EXPECT_FALSE(Matches(kDigits, "1"));
  EXPECT_TRUE(Matches(kDigits, "12"));
  EXPECT_TRUE(Matches(kDigits, "1234"));
  EXPECT_FALSE(Matches(kDigits, "12345"));
  EXPECT_TRUE(Matches("root ::= \"ab\"{3}", "ababab"));
  EXPECT_FALSE(Matches("root ::= \"ab\"{3}", "abab"));
  EXPECT_TRUE(Matches("root ::= \"x\"{2,} \"y\"", "xxxxxy"));
  EXPECT_FALSE(Matches("root ::= \"x\"{2,} \"y\"", "xy"));
  EXPECT_TRUE(Matches("root ::= (\"a\" | \"b\")+ \"c\"?", "abba"));
  EXPECT_TRUE(Matches("root ::= (\"a\" | \"b\")+ \"c\"?", "abbac"));
  EXPECT_FALSE(Matches("root ::= (\"a\" | \"b\")+ \"c\"?", "c"));
}

TEST(Gbnf, ClassesCoverUtf8RangesNegationAndAnyCharacter) {
  EXPECT_TRUE(Matches("root ::= [가-힣]+", "한국어"));
  EXPECT_FALSE(Matches("root ::= [가-힣]+", "한국a"));
  EXPECT_TRUE(Matches("root ::= [^a-z]", "é"));
  EXPECT_FALSE(Matches("root ::= [^a-z]", "q"));
  EXPECT_TRUE(Matches("root ::= . . .", "a😀\n"));
  EXPECT_TRUE(Matches(R"(root ::= [\x41-\x43] "\u00e9" "\U0001F600")", "Bé😀"));
  // A grammar never admits a surrogate or an overlong encoding, even through [^...].
  EXPECT_FALSE(Matches("root ::= [^a]", "\xED\xA0\x80"));
  EXPECT_FALSE(Matches("root ::= [^a]", "\xC0\xAF"));
}

TEST(Gbnf, ContinuationLinesAndCommentsParse) {
  constexpr std::string_view kList = R"(
# a comment before the first rule
root ::= item ("," item)*   # trailing comment
item ::=
    "x" |
    "y"
)";
  EXPECT_TRUE(Matches(kList, "x,y,x"));
  EXPECT_FALSE(Matches(kList, "x,"));
  // As in llama.cpp, a newline ends a rule outside parentheses unless a `|` ends the line.
  EXPECT_NE(RefusalOf("root ::= \"x\"\n  | \"y\"").find("line 2 column 3: expected a rule name"), std::string::npos);
}

TEST(Gbnf, HelperRulesNeverTakeTheNameOfARuleDefinedLater) {
  // Groups and repetitions become helper rules; a user rule named like one
  // ("root-1") and defined after them keeps its own meaning.
  EXPECT_TRUE(Matches("root ::= (\"a\" | \"b\")* root-1 root-2\nroot-1 ::= \"c\"\nroot-2 ::= \"d\"", "abcd"));
}

TEST(Gbnf, MalformedGrammarsAreRefusedWithLineAndColumn) {
  EXPECT_NE(RefusalOf("root ::= \"a\" missing").find("rule 'missing' is used but never defined"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= \"a\"\nroot ::= \"b\"").find("line 2 column 1: rule 'root' is defined twice"),
            std::string::npos);
  EXPECT_NE(RefusalOf("other ::= \"a\"").find("no 'root' rule"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= \"abc").find("unterminated string literal"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= [a-").find("unterminated character class"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= [z-a]").find("runs backwards"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= (\"a\"").find("expected ')'"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= * \"a\"").find("nothing before it to repeat"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= \"a\"{3,1}").find("maximum is below its minimum"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= \"a\"{99999}").find("repetition count above"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= \"\\q\"").find("unknown escape"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= \"\\uD800\"").find("not a character"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= <[1000]>").find("token references"), std::string::npos);
  EXPECT_NE(RefusalOf("root ::= \"\xFF\"").find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(RefusalOf("root = \"a\"").find("line 1 column 6: expected '::='"), std::string::npos);
}

TEST(Gbnf, LeftRecursionIsRefusedNamingTheRule) {
  EXPECT_NE(RefusalOf("root ::= root \"a\" | \"a\"").find("rule 'root' is left-recursive"), std::string::npos);
  // Through a rule that can match nothing.
  EXPECT_NE(RefusalOf("root ::= x \"a\"\nx ::= y root\ny ::= \"b\"?").find("left-recursive"), std::string::npos);
  // Right recursion is fine.
  EXPECT_TRUE(Matches("root ::= \"a\" root | \"a\"", "aaaa"));
}

TEST(Gbnf, NestedRepetitionsBeyondTheSizeLimitAreRefusedNotBuilt) {
  std::string text = "root ::= ";
  for (int i = 0; i < 200; ++i) text += "(\"a\"{0,10000})";
  EXPECT_NE(RefusalOf(text).find("size limit"), std::string::npos);
}

}  // namespace
}  // namespace fab::grammar
