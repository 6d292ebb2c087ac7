// Turning Values into text exactly as Python does: str() for `{{ x }}` and
// `|string`, repr() for items inside printed lists and dicts, and
// json.dumps(ensure_ascii=False, …) for Hugging Face's `tojson` filter.
// Failures (a value JSON cannot hold, output over max_bytes, nesting too
// deep) come back as Status. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "base/status.h"
#include "tokenizer/jinja/value.h"

namespace fab::jinja {

// Python repr(float): shortest round-trip digits, "1e-05", "1e+16", "inf", "nan".
std::string PythonFloatRepr(double value);

// Python str(value) (jinja2 prints Undefined as "").
StatusOr<std::string> PythonStr(const Value& value, size_t max_bytes);
// Python repr(value).
StatusOr<std::string> PythonRepr(const Value& value, size_t max_bytes);

struct JsonOptions {
  std::optional<int64_t> indent;  // nullopt: one line with ", " and ": "
  bool sort_keys = false;
  bool ensure_ascii = false;  // true: non-ASCII as \uXXXX (surrogate pairs above U+FFFF)
  std::optional<std::pair<std::string, std::string>> separators;  // (item, key)
};

// json.dumps(value, ensure_ascii=False, indent=…, separators=…, sort_keys=…).
StatusOr<std::string> ToJson(const Value& value, const JsonOptions& options, size_t max_bytes);

}  // namespace fab::jinja
