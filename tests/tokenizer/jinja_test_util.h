// Helpers for the template-interpreter tests: render a template source with
// variables given as a JSON object, under optional limits.
#pragma once

#include <boost/json.hpp>

#include <ctime>
#include <string>
#include <string_view>

#include "base/status.h"
#include "tokenizer/jinja/json_value.h"
#include "tokenizer/jinja/template.h"

namespace fab::jinja::testing {

// The fixed clock behind strftime_now in tests: 2026-03-14 09:26:53, a
// Saturday, as tests/tools/render_chat_template.py fixes python's datetime.
inline std::tm FixedTestClock() {
  std::tm t{};
  t.tm_year = 126;
  t.tm_mon = 2;
  t.tm_mday = 14;
  t.tm_hour = 9;
  t.tm_min = 26;
  t.tm_sec = 53;
  t.tm_wday = 6;
  t.tm_yday = 72;
  return t;
}

// Renders `source` with the members of `variables_json` (a JSON object) as
// top-level names. The clock behind strftime_now is fixed at 2026-03-14 09:26:53.
inline StatusOr<std::string> RenderWith(std::string_view source, std::string_view variables_json = "{}",
                                        const TemplateLimits& limits = {}) {
  FAB_ASSIGN_OR_RETURN(Template compiled, Template::Parse(source, limits));
  DictData variables;
  boost::json::value json = boost::json::parse(variables_json);
  for (const auto& [key, value] : json.as_object()) {
    FAB_ASSIGN_OR_RETURN(Value v, ValueFromJson(value));
    variables.Set(std::string(key), std::move(v));
  }
  RenderOptions options;
  options.now = FixedTestClock;
  return compiled.Render(variables, options);
}

// The rendered text, or "ERROR: <status>" so failures show in EXPECT_EQ.
inline std::string Render(std::string_view source, std::string_view variables_json = "{}") {
  StatusOr<std::string> out = RenderWith(source, variables_json);
  return out.ok() ? *out : "ERROR: " + out.status().ToString();
}

}  // namespace fab::jinja::testing
