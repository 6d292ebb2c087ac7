// Filters, tests and the str/dict methods templates call, checked against
// what jinja2 (with Hugging Face's tojson) renders.
#include <gtest/gtest.h>

#include "jinja_test_util.h"

namespace fab::jinja {
namespace {

using testing::Render;

TEST(JinjaFilter, StringFilters) {
  EXPECT_EQ(Render("{{ '  x  '|trim }}|{{ 'xxhixx'|trim('x') }}|{{ 'hello world'|title }}|{{ 'hELLO'|capitalize }}|"
                   "{{ 'AbC'|lower }}|{{ 'AbC'|upper }}|{{ 'x'|replace('x', 'yy') }}|{{ '<a>&'|e }}"),
            "x|hi|Hello World|Hello|abc|ABC|yy|&lt;a&gt;&amp;");
  EXPECT_EQ(Render("{{ 'line1\\nline2\\n\\nline4'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'one two  three'|wordcount }}"),
            "line1\n  line2\n\n  line4|  a\n  b|3");
}

TEST(JinjaFilter, SequenceFilters) {
  EXPECT_EQ(Render("{{ [3,1,2]|sort }} {{ ['b','A','c']|sort }} {{ [3,1,2]|sort(reverse=true) }} "
                   "{{ [{'n':2},{'n':1}]|sort(attribute='n') }}"),
            "[1, 2, 3] ['A', 'b', 'c'] [3, 2, 1] [{'n': 1}, {'n': 2}]");
  EXPECT_EQ(Render("{{ [1,2,2,3,1]|unique|list }} {{ {'b':1,'a':2}|dictsort }} {{ [1,2,3]|first }} {{ [1,2,3]|last }} "
                   "{{ 'abc'|list }} {{ [1,2,3,4,5]|batch(2)|list }}"),
            "[1, 2, 3] [('a', 2), ('b', 1)] 1 3 ['a', 'b', 'c'] [[1, 2], [3, 4], [5]]");
  EXPECT_EQ(Render("{{ [1,2,3]|join(', ') }} {{ [1,None,'x']|join }} {{ [{'a':'x'},{'a':'y'}]|map(attribute='a')|join('-') }} "
                   "{{ ['a','b']|map('upper')|list }} {{ [1,2,3,4]|select('odd')|list }} {{ [1,2,3,4]|reject('even')|list }}"),
            "1, 2, 3 1Nonex x-y ['A', 'B'] [1, 3] [1, 3]");
  EXPECT_EQ(Render("{{ [{'r':'u'},{'r':'a'}]|selectattr('r','equalto','u')|list }} "
                   "{{ [{'r':'u'},{'x':1}]|selectattr('r','defined')|list }} {{ [1,2,3]|sum }} {{ [3,1]|min }}"),
            "[{'r': 'u'}] [{'r': 'u'}] 6 1");
}

TEST(JinjaFilter, ToJsonMatchesHuggingFace) {
  EXPECT_EQ(Render("{{ {'a': 1, 'b': [1, 2]}|tojson }}"), "{\"a\": 1, \"b\": [1, 2]}");
  EXPECT_EQ(Render("{{ {'a': 1, 'b': [1, 2], 'c': {}}|tojson(indent=2) }}"),
            "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": {}\n}");
  EXPECT_EQ(Render("{{ '\xC3\xA9\"\\n'|tojson }} {{ [1.0, 2.5, None, true]|tojson }} {{ {'b':1,'a':2}|tojson(sort_keys=true) }}"),
            "\"\xC3\xA9\\\"\\n\" [1.0, 2.5, null, true] {\"a\": 2, \"b\": 1}");
  EXPECT_EQ(Render("{{ '\xC3\xBC'|tojson(ensure_ascii=true) }} {{ {'a':[1]}|tojson(separators=(',',':')) }}"),
            "\"\\u00fc\" {\"a\":[1]}");
  EXPECT_EQ(Render("{{ x|tojson }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
}

TEST(JinjaFilter, ConversionsAndDefaults) {
  EXPECT_EQ(Render("{{ '3'|int + 1 }} {{ '3.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ '2.5'|float }} {{ 3|float }} "
                   "{{ -3|abs }} {{ 2.567|round(2) }} {{ 2.5|round }} {{ 3|round }} {{ 2.1|round(0, 'ceil') }}"),
            "4 3 0 7 2.5 3.0 3 2.57 2.0 3 3.0");
  EXPECT_EQ(Render("{{ x|default('dflt') }} {{ ''|default('e', true) }} {{ none|default('n') }} {{ x|d('d') }} "
                   "{{ 'abc'|length }} {{ {'a':1}|length }} {{ 1|string + 'x' }}"),
            "dflt e None d 3 1 1x");
}

TEST(JinjaFilter, Tests) {
  EXPECT_EQ(Render("{{ x is defined }} {{ x is undefined }} {{ none is none }} {{ 1 is number }} {{ true is number }} "
                   "{{ true is integer }} {{ 1.5 is float }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is iterable }} "
                   "{{ x is iterable }} {{ 'a' is sequence }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} "
                   "{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ true is true }} {{ 1 is true }} {{ 1 is boolean }}"),
            "False True True True True False True True True True True True True True True True True True False False");
  EXPECT_EQ(Render("{{ 'a' is in 'abc' }} {{ 5 is gt 3 }} {{ 5 is lt 3 }} {{ 'x' is eq 'x' }} {{ 1 is ne 2 }} {{ none is sameas none }}"),
            "True True False True True True");
}

TEST(JinjaFilter, StringAndDictMethods) {
  EXPECT_EQ(Render("{{ ' a b '.strip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}|"
                   "{{ 'abc'.startswith(('x','a')) }}|{{ 'Hello'.endswith('lo') }}|{{ 'xyx'.strip('x') }}"),
            "a b|['a', 'b', '', 'c']|['a', 'b']|['a', 'b c']|True|True|y");
  EXPECT_EQ(Render("{{ 'a-b-c'.find('b') }} {{ 'a-b-c'.rfind('-') }} {{ 'aXbXc'.count('X') }} {{ ', '.join(['x', 'y']) }} "
                   "{{ 'aaa'.replace('a','b',2) }} {{ 'ab-cd ef'.title() }}"),
            "2 3 2 x, y bba Ab-Cd Ef");
  EXPECT_EQ(Render("{{ {'a': 1}.get('a') }} {{ {'a': 1}.get('b') }} {{ {'a': 1}.get('b', 2) }} {{ {'a': 1}.keys()|list }} "
                   "{{ {'a': 1}.values()|list }} {{ {'a':1}.items()|list }} {{ {'a':1}|items|list }}"),
            "1 None 2 ['a'] [1] [('a', 1)] [('a', 1)]");
}

TEST(JinjaFilter, CenterAndPercentFormatting) {
  EXPECT_EQ(Render("[{{ 'text'|center(10) }}][{{ 'abc'|center(6) }}]"), "[   text   ][ abc  ]");
  EXPECT_EQ(Render("{{ '%s and %s' % ('a', 'b') }} {{ '%d%%' % 7.9 }} {{ '%r' % 'q' }}"), "a and b 7% 'q'");
  EXPECT_EQ(Render("{{ '%s %s' % ('a',) }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
  EXPECT_EQ(Render("{{ '%5.2f' % 1.0 }}").rfind("ERROR: UNIMPLEMENTED", 0), 0u);
}

TEST(JinjaFilter, TheSandboxRefusesMutation) {
  EXPECT_EQ(Render("{% set l = [1] %}{{ l.append(2) }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
  EXPECT_EQ(Render("{% set d = {} %}{{ d.update({'a': 1}) }}").rfind("ERROR: INVALID_ARGUMENT", 0), 0u);
}

}  // namespace
}  // namespace fab::jinja
