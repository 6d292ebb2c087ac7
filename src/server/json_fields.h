// Typed, range-checked reads of OpenAI request fields from a Boost.JSON tree.
// Every reader treats an absent key and JSON null alike (absent) and answers
// 400 invalid_request_error naming `param` for a wrong JSON type, a number
// that is not finite (1e309 parses to infinity), out of range or not an
// integer where one is required, or a string that is not valid UTF-8 or is
// too long. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "server/api_result.h"

namespace fab::server {

// `body` as a JSON object: 400 when it is not JSON, nests deeper than
// kMaxJsonDepth, or is not an object.
ApiResult<boost::json::object> ParseJsonObject(std::string_view body);

// The value under `key`, or nullptr when absent or null.
const boost::json::value* FindField(const boost::json::object& object, std::string_view key);

// The JSON type name used in messages ("string", "array", "number", …).
const char* JsonTypeName(const boost::json::value& value);

// A 400 for `param`: "'<param>' must be <expected>, got <type>".
ApiError WrongTypeError(const std::string& param, const char* expected,
                        const boost::json::value& got);

ApiResult<std::optional<bool>> ReadOptionalBool(const boost::json::value* value,
                                                const std::string& param);

// An integer in [min, max]. Integral doubles (3.0) are accepted; 3.5, bools
// and strings are not.
ApiResult<std::optional<int64_t>> ReadOptionalInt(const boost::json::value* value,
                                                  const std::string& param, int64_t min,
                                                  int64_t max);

// A finite number in [min, max], or (min, max] when `min_exclusive`.
ApiResult<std::optional<double>> ReadOptionalNumber(const boost::json::value* value,
                                                    const std::string& param, double min,
                                                    double max, bool min_exclusive = false);

struct StringRule {
  size_t max_bytes = SIZE_MAX;
  bool allow_empty = true;
};

// A string of valid UTF-8 within `rule`.
ApiResult<std::string> ReadString(const boost::json::value& value, const std::string& param,
                                  StringRule rule);
ApiResult<std::optional<std::string>> ReadOptionalString(const boost::json::value* value,
                                                         const std::string& param,
                                                         StringRule rule);

// "prompt[3]" — the param name of an array element.
std::string ElementParam(const std::string& param, size_t index);

}  // namespace fab::server
