#include "grid/cloud_event.h"

#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <regex>

namespace fab::grid {
namespace {

namespace json = boost::json;

bool IsHex(std::string_view text) {
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Days from 1970-01-01 to the civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

std::string RandomHex(size_t n_bytes) {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(n_bytes)) != 1) {
    for (size_t i = 0; i < n_bytes; ++i) bytes[i] = static_cast<unsigned char>(std::rand());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n_bytes; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

// The string attribute `name`: required or optional, non-empty, bounded.
StatusOr<std::optional<std::string>> Attribute(const json::object& event, const char* name, bool required) {
  const json::value* value = event.if_contains(name);
  if (value == nullptr || value->is_null()) {
    if (required) return InvalidArgumentError(std::string("the event has no '") + name + "'");
    return std::optional<std::string>();
  }
  if (!value->is_string() || value->as_string().empty() || value->as_string().size() > 1024) {
    return InvalidArgumentError(std::string("'") + name + "' must be a non-empty string of at most 1024 bytes");
  }
  return std::optional<std::string>(std::string(value->as_string()));
}

}  // namespace

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

bool IsTraceparent(std::string_view text) {
  // ^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$
  return text.size() == 55 && text[2] == '-' && text[35] == '-' && text[52] == '-' && IsHex(text.substr(0, 2)) &&
         IsHex(text.substr(3, 32)) && IsHex(text.substr(36, 16)) && IsHex(text.substr(53, 2));
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  const auto digits = [&](size_t at, size_t n) -> std::optional<int64_t> {
    if (at + n > text.size()) return std::nullopt;
    int64_t value = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  const auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  const auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  size_t at = 19;
  int64_t millis = 0;
  if (text[at] == '.') {
    size_t n = 0;
    while (at + 1 + n < text.size() && std::isdigit(static_cast<unsigned char>(text[at + 1 + n]))) ++n;
    if (n == 0 || n > 9) return std::nullopt;
    for (size_t i = 0; i < 3; ++i) millis = millis * 10 + (i < n ? text[at + 1 + i] - '0' : 0);
    at += 1 + n;
  }
  int64_t offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const auto offset_hour = digits(at + 1, 2), offset_minute = digits(at + 4, 2);
    if (!offset_hour || !offset_minute || at + 3 >= text.size() || text[at + 3] != ':' || *offset_hour > 23 ||
        *offset_minute > 59) {
      return std::nullopt;
    }
    offset_minutes = (text[at] == '+' ? 1 : -1) * (*offset_hour * 60 + *offset_minute);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  const int64_t days = DaysFromCivil(*year, *month, *day);
  const int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + std::min<int64_t>(*second, 59) - offset_minutes * 60;
  return seconds * 1000 + millis;
}

std::string FormatRfc3339(int64_t unix_ms) {
  const int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  const int64_t millis = unix_ms - seconds * 1000;
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const int64_t in_day = seconds - days * 86400;
  // Civil from days (Howard Hinnant).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2);
  char text[40];
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day), static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60),
                static_cast<long long>(millis));
  return text;
}

std::string NewUuid() {
  std::string hex = RandomHex(16);
  hex[12] = '4';                                                   // version 4
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];  // variant 10xx
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

std::string NewTraceparent() { return "00-" + RandomHex(16) + "-" + RandomHex(8) + "-01"; }

StatusOr<CloudEvent> ParseCloudEvent(std::string_view payload) {
  if (payload.size() > kMaxCloudEventBytes) {
    return ResourceExhaustedError("the event is " + std::to_string(payload.size()) + " bytes, over the limit of " +
                                  std::to_string(kMaxCloudEventBytes));
  }
  boost::system::error_code error;
  json::parse_options options;
  options.max_depth = 32;
  json::value value = json::parse(payload, error, {}, options);
  if (error) return InvalidArgumentError("the event is not JSON: " + error.message());
  if (!value.is_object()) return InvalidArgumentError("the event is not a JSON object");
  const json::object& event = value.as_object();
  CloudEvent out;
  FAB_ASSIGN_OR_RETURN(std::optional<std::string> specversion, Attribute(event, "specversion", true));
  if (*specversion != "1.0.2") return InvalidArgumentError("'specversion' must be \"1.0.2\", not \"" + specversion->substr(0, 16) + "\"");
  FAB_ASSIGN_OR_RETURN(std::optional<std::string> id, Attribute(event, "id", true));
  if (!IsUuid(*id)) return InvalidArgumentError("'id' must be a UUID");
  out.id = std::move(*id);
  FAB_ASSIGN_OR_RETURN(std::optional<std::string> source, Attribute(event, "source", true));
  static const std::regex kSource("^//grid/v1/(isv|dsx-flex-agent|infra)/[^/]+$");
  if (!std::regex_match(*source, kSource)) {
    return InvalidArgumentError("'source' must be //grid/v1/<isv|dsx-flex-agent|infra>/<identifier>");
  }
  out.source = std::move(*source);
  FAB_ASSIGN_OR_RETURN(std::optional<std::string> type, Attribute(event, "type", true));
  out.type = std::move(*type);
  FAB_ASSIGN_OR_RETURN(std::optional<std::string> time, Attribute(event, "time", true));
  const std::optional<int64_t> time_ms = ParseRfc3339(*time);
  if (!time_ms) return InvalidArgumentError("'time' must be an RFC 3339 date-time");
  out.time = std::move(*time);
  out.time_ms = *time_ms;
  FAB_ASSIGN_OR_RETURN(std::optional<std::string> content_type, Attribute(event, "datacontenttype", true));
  if (*content_type != "application/json") return InvalidArgumentError("'datacontenttype' must be application/json");
  FAB_ASSIGN_OR_RETURN(std::optional<std::string> subject, Attribute(event, "subject", true));
  out.subject = std::move(*subject);
  FAB_ASSIGN_OR_RETURN(std::optional<std::string> traceparent, Attribute(event, "traceparent", true));
  if (!IsTraceparent(*traceparent)) return InvalidArgumentError("'traceparent' must be a W3C traceparent");
  out.traceparent = std::move(*traceparent);
  FAB_ASSIGN_OR_RETURN(out.tracestate, Attribute(event, "tracestate", false));
  FAB_ASSIGN_OR_RETURN(out.correlationid, Attribute(event, "correlationid", false));
  if (out.correlationid && !IsUuid(*out.correlationid)) return InvalidArgumentError("'correlationid' must be a UUID");
  const json::value* data = event.if_contains("data");
  if (data == nullptr) return InvalidArgumentError("the event has no 'data'");
  if (!data->is_string() && !data->is_object()) return InvalidArgumentError("'data' must be a JWS string or an object");
  out.data = *data;
  return out;
}

std::string SerializeCloudEvent(const CloudEvent& event) {
  json::object out{{"specversion", "1.0.2"},
                   {"id", event.id},
                   {"source", event.source},
                   {"type", event.type},
                   {"time", event.time},
                   {"datacontenttype", "application/json"},
                   {"subject", event.subject},
                   {"traceparent", event.traceparent}};
  if (event.tracestate) out["tracestate"] = *event.tracestate;
  if (event.correlationid) out["correlationid"] = *event.correlationid;
  out["data"] = event.data;
  return json::serialize(out);
}

}  // namespace fab::grid
