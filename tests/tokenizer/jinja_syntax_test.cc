// Lexing and parsing: jinja2's whitespace rules under trim_blocks and
// lstrip_blocks, comments, raw blocks, and precise errors for malformed templates.
#include <gtest/gtest.h>

#include "jinja_test_util.h"

namespace fab::jinja {
namespace {

using testing::Render;
using testing::RenderWith;

TEST(JinjaSyntax, TrimBlocksEatsTheNewlineAfterABlockTag) {
  EXPECT_EQ(Render("{% if true %}\nyes\n{% endif %}\nafter"), "yes\nafter");
}

TEST(JinjaSyntax, TrimBlocksLeavesTheNewlineAfterAnExpression) {
  EXPECT_EQ(Render("{{ 'a' }}\n{{ 'b' }}"), "a\nb");
}

TEST(JinjaSyntax, LstripBlocksRemovesIndentBeforeBlockTagsOnly) {
  EXPECT_EQ(Render("  {% for x in [1,2] %}\n    item {{ x }}\n  {% endfor %}\ndone"), "    item 1\n    item 2\ndone");
}

TEST(JinjaSyntax, PlusSignKeepsIndentBeforeABlockTag) {
  EXPECT_EQ(Render("x\n  {%+ if true %}c{% endif %}"), "x\n  c");
}

TEST(JinjaSyntax, MinusSignsStripAllSurroundingWhitespace) {
  EXPECT_EQ(Render("a  \n {%- if true -%} \n b \n {%- endif -%}\n  c"), "abc");
  EXPECT_EQ(Render("[ {{- 'x' -}} ]"), "[x]");
}

TEST(JinjaSyntax, CommentsVanishAndTrimLikeBlocks) {
  EXPECT_EQ(Render("a{# note #}b\n  {# own line #}\nc"), "ab\nc");
  EXPECT_EQ(Render("text   {#- c -#}   end"), "textend");
}

TEST(JinjaSyntax, RawBlocksAreNotInterpreted) {
  EXPECT_EQ(Render("{% raw %}{{ x }}{% if %}{% endraw %}"), "{{ x }}{% if %}");
}

TEST(JinjaSyntax, OneTrailingNewlineOfTheSourceIsDropped) {
  EXPECT_EQ(Render("hi\n"), "hi");
  EXPECT_EQ(Render("hi\n\n"), "hi\n");
  EXPECT_EQ(Render("a\r\nb"), "a\nb");
}

TEST(JinjaSyntax, StringLiteralsUsePythonEscapes) {
  EXPECT_EQ(Render(R"({{ "\t\u00e9\x41\101\\n\q" }})"), "\t\xC3\xA9" "AA\\n\\q");
  EXPECT_EQ(Render("{{ 'a' \"b\" 'c' }}"), "abc");
}

Status ErrorOf(std::string_view source) {
  StatusOr<std::string> out = RenderWith(source);
  return out.ok() ? OkStatus() : out.status();
}

TEST(JinjaSyntax, UnterminatedTagsReportLineAndColumn) {
  Status s = ErrorOf("line one\n  {{ x ");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("line 2:3"), std::string::npos) << s.message();
  s = ErrorOf("{% if true %}never closed");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("endif"), std::string::npos) << s.message();
  s = ErrorOf("ok {# open comment");
  EXPECT_NE(s.message().find("line 1:4"), std::string::npos) << s.message();
  EXPECT_EQ(ErrorOf("{% raw %} no end").code(), StatusCode::kInvalidArgument);
}

TEST(JinjaSyntax, BadExpressionsReportWhere) {
  Status s = ErrorOf("ok\n{{ 1 + }}");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("line 2:"), std::string::npos) << s.message();
  EXPECT_EQ(ErrorOf("{{ (1 }}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{{ [1, 2 }}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{{ 'unterminated }}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{{ a $ b }}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{{ }}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{{ 99999999999999999999 }}").code(), StatusCode::kInvalidArgument);
}

TEST(JinjaSyntax, MisplacedStatementsAreErrors) {
  EXPECT_EQ(ErrorOf("{% endif %}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{% break %}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{% for x in y %}{% endif %}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{% include 'other' %}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{% macro m(a=1, b) %}{% endmacro %}").code(), StatusCode::kInvalidArgument);
}

// Fuzzer finding: a slice inside a tuple subscript once reached the
// evaluator as a slice node without its object.
TEST(JinjaSyntax, SliceInsideTupleSubscriptIsRejected) {
  EXPECT_EQ(ErrorOf("{{ 'h\xC3\xA9llo'[1:32,3][:10>-1-1] }}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{{ x[1:2, 3] }}").code(), StatusCode::kInvalidArgument);
}

TEST(JinjaSyntax, UnknownFiltersAndTestsFailOnlyWhenTheyRun) {
  EXPECT_TRUE(ErrorOf("{% if false %}{{ x|frobnicate }}{{ x is frobnicated }}{% endif %}").ok());
  Status filter = ErrorOf("{{ x|frobnicate }}");
  EXPECT_EQ(filter.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(filter.message().find("No filter named 'frobnicate'"), std::string::npos) << filter.message();
  EXPECT_EQ(ErrorOf("{{ x is frobnicated }}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("{{ 'x'|wordwrap }}").code(), StatusCode::kUnimplemented);
}

TEST(JinjaSyntax, InvalidUtf8SourceIsRejected) {
  EXPECT_EQ(ErrorOf("ok \xFF").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fab::jinja
