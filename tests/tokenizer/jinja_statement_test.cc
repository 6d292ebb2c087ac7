// Statements: for loops with `loop.*`, else and filters, break/continue,
// scoping of set, namespaces, macros, block set and filter blocks.
#include <gtest/gtest.h>

#include "jinja_test_util.h"

namespace fab::jinja {
namespace {

using testing::Render;

TEST(JinjaStatement, LoopVariablesDescribeThePosition) {
  EXPECT_EQ(Render("{% for x in [1,2,3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
                   "{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }}"
                   "{{ loop.cycle('a','b') }};{% endfor %}"),
            "1032TrueFalse32a;2121FalseFalse313b;3210FalseTrue32a;");
}

TEST(JinjaStatement, ForUnpacksTuplesAndIteratesDictKeys) {
  EXPECT_EQ(Render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }},{% endfor %}"
                   "{% for k in {'z': 1, 'y': 2} %}{{ k }}{% endfor %}{% for a, b in [(1, 2), [3, 4]] %}{{ a + b }}{% endfor %}"),
            "a=1,b=2,zy37");
  EXPECT_EQ(Render("{% for a, b in [(1, 2, 3)] %}{% endfor %}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
}

TEST(JinjaStatement, ForElseFilterBreakAndContinue) {
  EXPECT_EQ(Render("{% for x in [] %}no{% else %}empty{% endfor %}"), "empty");
  EXPECT_EQ(Render("{% for x in [1,2,3,4,5] if x is odd %}{{ x }}{{ loop.length }}{% endfor %}"), "133353");
  EXPECT_EQ(Render("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}"
                   "{% endif %}{{ x }}{% endfor %}"),
            "0134");
}

TEST(JinjaStatement, SetInsideALoopDoesNotLeakButSetInsideIfDoes) {
  EXPECT_EQ(Render("{% set x = 1 %}{% for i in [1,2] %}{% set x = x + i %}{{ x }}{% endfor %}{{ x }}"
                   "{% if true %}{% set y = 5 %}{% endif %}{{ y }}"),
            "2315");
}

TEST(JinjaStatement, NamespacesCarryStateOutOfLoops) {
  EXPECT_EQ(Render("{% set ns = namespace(total=0, items=[]) %}{% for i in range(4) %}{% set ns.total = ns.total + i %}"
                   "{% set ns.items = ns.items + [i] %}{% endfor %}{{ ns.total }} {{ ns.items }}"),
            "6 [0, 1, 2, 3]");
  EXPECT_EQ(Render("{% set d = {} %}{% set d.x = 1 %}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
}

TEST(JinjaStatement, MacrosTakeDefaultsKeywordsAndRecurse) {
  EXPECT_EQ(Render("{% macro greet(name, greeting='Hello', punct='!') %}{{ greeting }}, {{ name }}{{ punct }}{% endmacro %}"
                   "{{ greet('A') }} {{ greet('B', 'Hi') }} {{ greet(name='C', punct='?') }}"),
            "Hello, A! Hi, B! Hello, C?");
  EXPECT_EQ(Render("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}"),
            "120");
  EXPECT_EQ(Render("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
  EXPECT_EQ(Render("{% macro m(a) %}{% endmacro %}{{ m(b=2) }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
}

TEST(JinjaStatement, BlockSetFilterBlockAndGeneration) {
  EXPECT_EQ(Render("{% set block %}  inner {{ 1 + 1 }}  {% endset %}[{{ block }}]{% set a, b = 1, 2 %}{{ a }}{{ b }}"
                   "{% filter upper %}shout {{ 'me' }}{% endfilter %}"),
            "[  inner 2  ]12SHOUT ME");
  EXPECT_EQ(Render("{% set t | trim %}  padded  {% endset %}[{{ t }}]"), "[padded]");
  EXPECT_EQ(Render("a{% generation %}b{% endgeneration %}c"), "abc");
}

TEST(JinjaStatement, RaiseExceptionCarriesTheMessage) {
  EXPECT_EQ(Render("before{{ raise_exception('Roles must alternate') }}"), "ERROR: INVALID_ARGUMENT: Roles must alternate");
}

TEST(JinjaStatement, StrftimeNowUsesTheInjectedClock) {
  EXPECT_EQ(Render("{{ strftime_now('%Y-%m-%d %H:%M:%S %d %b %Y') }}"), "2026-03-14 09:26:53 14 Mar 2026");
}

}  // namespace
}  // namespace fab::jinja
