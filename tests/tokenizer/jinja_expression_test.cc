// Expressions: Python printing of values, arithmetic, comparisons, slicing,
// attribute access and jinja2's Undefined.
#include <gtest/gtest.h>

#include "jinja_test_util.h"

namespace fab::jinja {
namespace {

using testing::Render;

TEST(JinjaExpression, PrintsValuesLikePythonStr) {
  EXPECT_EQ(Render("{{ [1, 'a', \"b'c\", 'd\"e', None, True, 1.5, {'k': [1, (2,)]}] }}"),
            "[1, 'a', \"b'c\", 'd\"e', None, True, 1.5, {'k': [1, (2,)]}]");
  EXPECT_EQ(Render("{{ (1,) }}|{{ () }}|{{ (1, 2) }}|{{ {} }}|{{ [] }}"), "(1,)|()|(1, 2)|{}|[]");
  EXPECT_EQ(Render("{{ none }} {{ true }} {{ False }} {{ x }}|"), "None True False |");
}

TEST(JinjaExpression, PrintsFloatsLikePythonRepr) {
  EXPECT_EQ(Render("{{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }} {{ -2.5e-7 }}"),
            "1.0 0.30000000000000004 1e+16 1000000000000000.0 0.0001 1e-05 -2.5e-07");
  EXPECT_EQ(Render("{{ 1/3 }} {{ 123456789.123 }} {{ -0.0 }}"), "0.3333333333333333 123456789.123 -0.0");
}

TEST(JinjaExpression, ArithmeticFollowsPython) {
  EXPECT_EQ(Render("{{ 3 / 2 }} {{ 4 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7.5 % 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }}"),
            "1.5 2.0 3 -4 2 1.5 1024 0.5");
  EXPECT_EQ(Render("{{ 'ab' * 3 }} {{ [1] * 3 }} {{ 3 * 'x' }} {{ [1] + [2] }} {{ 'a' + 'b' }} {{ -(3) }}"),
            "ababab [1, 1, 1] xxx [1, 2] ab -3");
  EXPECT_EQ(Render("{{ 'a' ~ 1 ~ none ~ x ~ [1] }}"), "a1None[1]");
}

TEST(JinjaExpression, TypeErrorsAndZeroDivisionFail) {
  EXPECT_EQ(Render("{{ 1 + 'a' }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
  EXPECT_EQ(Render("{{ 10 / 0 }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
  EXPECT_EQ(Render("{{ 9223372036854775807 + 1 }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
  EXPECT_EQ(Render("{{ none < 1 }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
}

TEST(JinjaExpression, ComparisonsAndMembership) {
  EXPECT_EQ(Render("{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1,2] < [1,3] }} {{ 1 in [1,2] }} "
                   "{{ 'a' in 'cat' }} {{ 'k' in {'k':1} }} {{ 3 not in [1] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}"),
            "True True True True True True True True True False");
}

TEST(JinjaExpression, BooleanOperatorsReturnOperands) {
  EXPECT_EQ(Render("{{ not 0 }} {{ 1 and 2 }} {{ 0 or 'x' }} {{ none or [] }} {{ 'y' if 0 else 'n' }} [{{ 'y' if 0 }}]"),
            "True 2 x [] n []");
}

TEST(JinjaExpression, SlicingCountsCodePoints) {
  EXPECT_EQ(Render("{{ 'abc'[::-1] }} {{ 'h\xC3\xA9llo'[1:3] }} {{ [1,2,3,4,5][1:-1] }} {{ [1,2,3,4,5][::2] }} "
                   "{{ [1,2,3][5:] }} {{ 'abc'[-1] }} {{ [1,2,3][-5:10:-1] }}"),
            "cba \xC3\xA9l [2, 3, 4] [1, 3, 5] [] c []");
  EXPECT_EQ(Render("{{ '\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4'|length }} {{ '\xED\x95\x9C\xEA\xB5\xAD'[1] }}"),
            "3 \xEA\xB5\xAD");
}

TEST(JinjaExpression, MissingAttributesAreUndefinedButUndefinedHasNoAttributes) {
  const char* vars = R"({"m": {"role": "user", "items": 3}, "list": [1, 2]})";
  EXPECT_EQ(Render("[{{ m.missing }}][{{ m['missing'] }}][{{ list[5] }}][{{ none.attr }}]", vars), "[][][][]");
  EXPECT_EQ(Render("{{ m['items'] }} {{ m.items is defined }}", vars), "3 True");
  EXPECT_EQ(Render("{{ m.missing.deeper }}", vars).rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
  EXPECT_EQ(Render("{{ x[0] }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
  EXPECT_EQ(Render("{{ undefined_fn() }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
}

TEST(JinjaExpression, UndefinedIsFalsyEmptyAndPrintsNothing) {
  EXPECT_EQ(Render("{{ x is defined }} {{ x|length }} {{ x == x }} {% for i in x %}never{% endfor %}{% if not x %}falsy{% endif %}"),
            "False 0 True falsy");
  EXPECT_EQ(Render("{{ [x, 1] }}"), "[Undefined, 1]");
}

TEST(JinjaExpression, DictKeysMayBeNumbers) {
  EXPECT_EQ(Render("{% set d = {0: 'zero', 512: 'x'} %}{{ d[0] }} {{ d[512] }} {{ d }} {{ d|tojson }}"),
            "zero x {0: 'zero', 512: 'x'} {\"0\": \"zero\", \"512\": \"x\"}");
}

}  // namespace
}  // namespace fab::jinja
