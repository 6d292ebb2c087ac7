// The sandbox caps: every exceeded limit ends the render with a precise
// ResourceExhausted status instead of hanging, crashing or allocating
// without bound.
#include <gtest/gtest.h>

#include "jinja_test_util.h"

namespace fab::jinja {
namespace {

using testing::RenderWith;

Status StatusOf(std::string_view source, const TemplateLimits& limits = {}) {
  StatusOr<std::string> out = RenderWith(source, "{}", limits);
  return out.ok() ? OkStatus() : out.status();
}

void ExpectExhausted(const Status& status, const std::string& mentions) {
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find(mentions), std::string::npos) << status.ToString();
}

TEST(JinjaLimits, StepBudgetStopsLongLoops) {
  TemplateLimits limits;
  limits.max_steps = 10'000;
  ExpectExhausted(StatusOf("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", limits),
                  "step budget");
  EXPECT_TRUE(StatusOf("{% for i in range(100) %}{{ i }}{% endfor %}", limits).ok());
}

TEST(JinjaLimits, WorkOnLargeValuesCountsAgainstTheBudget) {
  // Each line does little per step but touches a large value every time.
  ExpectExhausted(StatusOf("{% set a = [range(100000)|list] %}{% set b = [range(100000)|list] %}"
                           "{% for i in range(100000) %}{% if a == b %}{% endif %}{% endfor %}"),
                  "step budget");
  ExpectExhausted(StatusOf("{% set s = 'x' * 8000000 %}{% for i in range(100000) %}{{ s[i] }}{% endfor %}"), "step budget");
  ExpectExhausted(StatusOf("{% set s = 'x' * 8000000 %}{% for i in range(100000) %}{% if s|string == 'y' %}{% endif %}"
                           "{% endfor %}"),
                  "step budget");
}

TEST(JinjaLimits, RenderTimeIsCapped) {
  TemplateLimits limits;
  limits.max_steps = int64_t{1} << 60;
  limits.max_render_milliseconds = 1;
  ExpectExhausted(StatusOf("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", limits),
                  "longer than");
}

TEST(JinjaLimits, OutputCapStopsHugeOutput) {
  TemplateLimits limits;
  limits.max_output_bytes = 1000;
  ExpectExhausted(StatusOf("{% for i in range(1000) %}0123456789{% endfor %}", limits), "output");
}

TEST(JinjaLimits, StringAndListGrowthIsCapped) {
  TemplateLimits limits;
  limits.max_output_bytes = 1 << 16;
  ExpectExhausted(StatusOf("{{ 'x' * 100000000 }}", limits), "size limit");
  ExpectExhausted(StatusOf("{{ [1] * 100000000000 }}"), "size limit");
  ExpectExhausted(StatusOf("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                           limits),
                  "string");
}

TEST(JinjaLimits, RangeIsCapped) {
  ExpectExhausted(StatusOf("{{ range(100001)|length }}"), "range");
  ExpectExhausted(StatusOf("{{ range(-9223372036854775807, 9223372036854775807)|length }}"), "range");
  EXPECT_TRUE(StatusOf("{{ range(100000)|length }}").ok());
}

TEST(JinjaLimits, MacroRecursionIsCapped) {
  ExpectExhausted(StatusOf("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"), "nested deeper");
}

TEST(JinjaLimits, ValueNestingIsCappedAndNamespaceCyclesAreSafe) {
  ExpectExhausted(StatusOf("{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}"),
                  "nested deeper");
  StatusOr<std::string> cycle = RenderWith("{% set ns = namespace() %}{% set ns.self = ns %}{{ ns.self.self is defined }}");
  ASSERT_TRUE(cycle.ok()) << cycle.status().ToString();
  EXPECT_EQ(*cycle, "True");
}

TEST(JinjaLimits, SourceSizeAndNestingAreCapped) {
  TemplateLimits limits;
  limits.max_source_bytes = 100;
  ExpectExhausted(StatusOf(std::string(101, 'x'), limits), "source");
  ExpectExhausted(StatusOf("{{ " + std::string(10000, '(') + "1" + std::string(10000, ')') + " }}"), "nesting");
  std::string deep_ifs;
  for (int i = 0; i < 1000; ++i) deep_ifs += "{% if true %}";
  ExpectExhausted(StatusOf(deep_ifs), "nesting");
  ExpectExhausted(StatusOf("{{ " + std::string(10000, '-') + "1 }}"), "nesting");
  std::string long_chain = "{{ 1";
  for (int i = 0; i < 5000; ++i) long_chain += " + 1";
  ExpectExhausted(StatusOf(long_chain + " }}"), "chain");
  std::string filters = "{{ 'x'";
  for (int i = 0; i < 5000; ++i) filters += "|trim";
  ExpectExhausted(StatusOf(filters + " }}"), "chain");
  std::string elifs = "{% if false %}";
  for (int i = 0; i < 5000; ++i) elifs += "{% elif false %}";
  ExpectExhausted(StatusOf(elifs + "{% endif %}"), "nesting");
}

}  // namespace
}  // namespace fab::jinja
