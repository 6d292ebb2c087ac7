#include "server/json_fields.h"

#include <cmath>
#include <cstdio>

#include "server/request_limits.h"
#include "tokenizer/utf8.h"

namespace fab::server {
namespace json = boost::json;

namespace {

// "2", "0.5", "1e+300", "inf": short and readable in messages.
std::string FormatNumber(double number) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", number);
  return buffer;
}

}  // namespace

ApiResult<json::object> ParseJsonObject(std::string_view body) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::error_code error;
  json::value root = json::parse(json::string_view(body.data(), body.size()), error,
                                 json::storage_ptr(), options);
  if (error) return InvalidJsonError(error.message());
  if (!root.is_object()) {
    return InvalidJsonError(std::string("the body must be a JSON object, got ") +
                            JsonTypeName(root));
  }
  return std::move(root.as_object());
}

const json::value* FindField(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(json::string_view(key.data(), key.size()));
  if (value == nullptr || value->is_null()) return nullptr;
  return value;
}

const char* JsonTypeName(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "unknown";
}

ApiError WrongTypeError(const std::string& param, const char* expected, const json::value& got) {
  return InvalidFieldError(param, "'" + param + "' must be " + expected + ", got " +
                                      JsonTypeName(got));
}

std::string ElementParam(const std::string& param, size_t index) {
  return param + "[" + std::to_string(index) + "]";
}

ApiResult<std::optional<bool>> ReadOptionalBool(const json::value* value,
                                                const std::string& param) {
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_bool()) return WrongTypeError(param, "a boolean", *value);
  return std::optional<bool>(value->as_bool());
}

ApiResult<std::optional<int64_t>> ReadOptionalInt(const json::value* value,
                                                  const std::string& param, int64_t min,
                                                  int64_t max) {
  if (value == nullptr) return std::optional<int64_t>();
  const std::string range = " in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  int64_t integer = 0;
  if (value->is_int64()) {
    integer = value->as_int64();
  } else if (value->is_uint64()) {
    return InvalidFieldError(param, "'" + param + "' must be an integer" + range);
  } else if (value->is_double()) {
    const double number = value->as_double();
    // 2^63 is exactly representable; anything at or past it is out of range.
    if (!std::isfinite(number) || number != std::trunc(number) || number < -9.2e18 ||
        number > 9.2e18) {
      return InvalidFieldError(param, "'" + param + "' must be an integer" + range + ", got " +
                                          FormatNumber(number));
    }
    integer = static_cast<int64_t>(number);
  } else {
    return WrongTypeError(param, "an integer", *value);
  }
  if (integer < min || integer > max) {
    return InvalidFieldError(param, "'" + param + "' must be an integer" + range + ", got " +
                                        std::to_string(integer));
  }
  return std::optional<int64_t>(integer);
}

ApiResult<std::optional<double>> ReadOptionalNumber(const json::value* value,
                                                    const std::string& param, double min,
                                                    double max, bool min_exclusive) {
  if (value == nullptr) return std::optional<double>();
  if (!value->is_number()) return WrongTypeError(param, "a number", *value);
  const double number = value->to_number<double>();
  const bool below = min_exclusive ? !(number > min) : !(number >= min);
  if (!std::isfinite(number) || below || !(number <= max)) {
    return InvalidFieldError(param, "'" + param + "' must be a finite number in " +
                                        (min_exclusive ? "(" : "[") + FormatNumber(min) + ", " +
                                        FormatNumber(max) + "], got " + FormatNumber(number));
  }
  return std::optional<double>(number);
}

ApiResult<std::string> ReadString(const json::value& value, const std::string& param,
                                  StringRule rule) {
  if (!value.is_string()) return WrongTypeError(param, "a string", value);
  const json::string& text = value.as_string();
  if (!rule.allow_empty && text.empty()) {
    return InvalidFieldError(param, "'" + param + "' must not be empty");
  }
  if (text.size() > rule.max_bytes) {
    return InvalidFieldError(param, "'" + param + "' is longer than " +
                                        std::to_string(rule.max_bytes) + " bytes");
  }
  const std::string_view view(text.data(), text.size());
  if (!IsValidUtf8(view)) {
    return InvalidFieldError(param, "'" + param + "' is not valid UTF-8");
  }
  return std::string(view);
}

ApiResult<std::optional<std::string>> ReadOptionalString(const json::value* value,
                                                         const std::string& param,
                                                         StringRule rule) {
  if (value == nullptr) return std::optional<std::string>();
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::string text, ReadString(*value, param, rule));
  return std::optional<std::string>(std::move(text));
}

}  // namespace fab::server
