#include "tokenizer/jinja/value_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include <utf8proc.h>

#include "tokenizer/jinja/python_string.h"

namespace fab::jinja {
namespace {

constexpr int kMaxFormatDepth = 200;

Status TooLong(size_t max_bytes) {
  return ResourceExhaustedError("template value text is longer than " + std::to_string(max_bytes) + " bytes");
}

void AppendPythonStringReprRaw(const std::string& s, std::string* out);
void EscapeUnprintable(std::string* text);

void AppendPythonStringRepr(const std::string& s, std::string* out) {
  std::string quoted;
  AppendPythonStringReprRaw(s, &quoted);
  EscapeUnprintable(&quoted);
  out->append(quoted);
}

void AppendPythonStringReprRaw(const std::string& s, std::string* out) {
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  out->push_back(quote);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));  // non-ASCII: EscapeUnprintable decides
    }
  }
  out->push_back(quote);
}

// Python's str.isprintable() for a non-ASCII code point: not a control,
// format, surrogate, private-use, unassigned or separator character.
bool IsPrintableNonAscii(char32_t c) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_ZS: return false;
    default: return true;
  }
}

// repr() escapes non-printable non-ASCII characters as \xNN, \uNNNN or \UNNNNNNNN.
void EscapeUnprintable(std::string* text) {
  bool any = false;
  for (char ch : *text) any = any || static_cast<unsigned char>(ch) >= 0x80;
  if (!any) return;
  std::string out;
  for (char32_t c : DecodeUtf8(*text)) {
    if (c < 0x80 || IsPrintableNonAscii(c)) {
      AppendUtf8(c, &out);
      continue;
    }
    char buf[16];
    if (c < 0x100) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
    } else if (c < 0x10000) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
    } else {
      std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c));
    }
    out += buf;
  }
  *text = std::move(out);
}

Status AppendRepr(const Value& value, bool top_level_str, int depth, size_t max_bytes, std::string* out);

Status AppendContainer(const Value& value, int depth, size_t max_bytes, std::string* out) {
  if (value.is_list()) {
    const ListData& list = value.as_list();
    out->push_back(list.is_tuple ? '(' : '[');
    for (size_t i = 0; i < list.items.size(); ++i) {
      if (i > 0) out->append(", ");
      FAB_RETURN_IF_ERROR(AppendRepr(list.items[i], false, depth + 1, max_bytes, out));
    }
    if (list.is_tuple && list.items.size() == 1) out->push_back(',');
    out->push_back(list.is_tuple ? ')' : ']');
    return OkStatus();
  }
  const DictData& dict = value.is_dict() ? value.as_dict() : value.as_namespace();
  if (value.is_namespace()) out->append("<Namespace ");
  out->push_back('{');
  bool first = true;
  for (const auto& [key, item] : dict.entries()) {
    if (!first) out->append(", ");
    first = false;
    FAB_RETURN_IF_ERROR(AppendRepr(key, false, depth + 1, max_bytes, out));
    out->append(": ");
    FAB_RETURN_IF_ERROR(AppendRepr(item, false, depth + 1, max_bytes, out));
  }
  out->push_back('}');
  if (value.is_namespace()) out->push_back('>');
  return OkStatus();
}

Status AppendRepr(const Value& value, bool top_level_str, int depth, size_t max_bytes, std::string* out) {
  if (depth > kMaxFormatDepth) return ResourceExhaustedError("value nested too deeply to print");
  switch (value.kind()) {
    case ValueKind::kUndefined:  // str() is "", repr() (inside a printed list) is "Undefined"
      if (!top_level_str) out->append("Undefined");
      break;
    case ValueKind::kNone: out->append("None"); break;
    case ValueKind::kBool: out->append(value.as_bool() ? "True" : "False"); break;
    case ValueKind::kInt: out->append(std::to_string(value.as_int())); break;
    case ValueKind::kFloat: out->append(PythonFloatRepr(value.as_double())); break;
    case ValueKind::kString:
      if (top_level_str) {
        out->append(value.as_string());
      } else {
        AppendPythonStringRepr(value.as_string(), out);
      }
      break;
    case ValueKind::kList:
    case ValueKind::kDict:
    case ValueKind::kNamespace: FAB_RETURN_IF_ERROR(AppendContainer(value, depth, max_bytes, out)); break;
    case ValueKind::kCallable: out->append("<function " + value.as_callable().name + ">"); break;
    case ValueKind::kLoop: out->append("<LoopContext>"); break;
  }
  if (out->size() > max_bytes) return TooLong(max_bytes);
  return OkStatus();
}

void AppendJsonString(const std::string& s, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  if (ensure_ascii) {
    for (char32_t c : DecodeUtf8(s)) {
      if (c < 0x80) {
        std::string one(1, static_cast<char>(c));
        std::string escaped;
        AppendJsonString(one, false, &escaped);
        out->append(escaped, 1, escaped.size() - 2);
        continue;
      }
      char buf[16];
      if (c >= 0x10000) {
        char32_t v = c - 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      }
      out->append(buf);
    }
    out->push_back('"');
    return;
  }
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

struct JsonWriter {
  const JsonOptions& options;
  size_t max_bytes;
  std::string item_separator;
  std::string key_separator;
  std::string* out;

  Status Newline(int level) {
    size_t width = static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(*options.indent, int64_t{1} << 20)));
    size_t count = width * static_cast<size_t>(level);
    if (out->size() + count + 1 > max_bytes) return TooLong(max_bytes);
    out->push_back('\n');
    out->append(count, ' ');
    return OkStatus();
  }

  Status Write(const Value& value, int level) {
    if (level > kMaxFormatDepth) return ResourceExhaustedError("value nested too deeply for tojson");
    if (out->size() > max_bytes) return TooLong(max_bytes);
    switch (value.kind()) {
      case ValueKind::kNone: out->append("null"); return OkStatus();
      case ValueKind::kBool: out->append(value.as_bool() ? "true" : "false"); return OkStatus();
      case ValueKind::kInt: out->append(std::to_string(value.as_int())); return OkStatus();
      case ValueKind::kFloat: {
        double d = value.as_double();
        out->append(std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : PythonFloatRepr(d));
        return OkStatus();
      }
      case ValueKind::kString: AppendJsonString(value.as_string(), options.ensure_ascii, out); return OkStatus();
      case ValueKind::kList: return WriteList(value.as_list(), level);
      case ValueKind::kDict: return WriteDict(value.as_dict(), level);
      default:
        return InvalidArgumentError(std::string("tojson: Object of type ") + value.TypeName() +
                                    " is not JSON serializable");
    }
  }

  Status WriteList(const ListData& list, int level) {
    if (list.items.empty()) {
      out->append("[]");
      return OkStatus();
    }
    out->push_back('[');
    for (size_t i = 0; i < list.items.size(); ++i) {
      if (i > 0) out->append(item_separator);
      if (options.indent) FAB_RETURN_IF_ERROR(Newline(level + 1));
      FAB_RETURN_IF_ERROR(Write(list.items[i], level + 1));
    }
    if (options.indent) FAB_RETURN_IF_ERROR(Newline(level));
    out->push_back(']');
    return OkStatus();
  }

  Status WriteDict(const DictData& dict, int level) {
    if (dict.size() == 0) {
      out->append("{}");
      return OkStatus();
    }
    // json.dumps turns str/int/float/bool/None keys into strings.
    std::vector<std::pair<std::string, const Value*>> entries;
    for (const auto& [key, item] : dict.entries()) {
      std::string text;
      switch (key.kind()) {
        case ValueKind::kString: text = key.as_string(); break;
        case ValueKind::kNone: text = "null"; break;
        case ValueKind::kBool: text = key.as_bool() ? "true" : "false"; break;
        case ValueKind::kInt: text = std::to_string(key.as_int()); break;
        case ValueKind::kFloat: text = PythonFloatRepr(key.as_double()); break;
        default: return InvalidArgumentError("tojson: keys must be str, int, float, bool or None, not tuple");
      }
      entries.emplace_back(std::move(text), &item);
    }
    if (options.sort_keys) {
      std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    out->push_back('{');
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out->append(item_separator);
      if (options.indent) FAB_RETURN_IF_ERROR(Newline(level + 1));
      AppendJsonString(entries[i].first, options.ensure_ascii, out);
      out->append(key_separator);
      FAB_RETURN_IF_ERROR(Write(*entries[i].second, level + 1));
    }
    if (options.indent) FAB_RETURN_IF_ERROR(Newline(level));
    out->push_back('}');
    return OkStatus();
  }
};

}  // namespace

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, result.ptr);  // "-d.ddde±XX"
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e_pos = sci.find('e');
  int exponent = std::stoi(sci.substr(e_pos + 1));
  std::string digits;
  for (size_t i = 0; i < e_pos; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int decimal_point = exponent + 1;  // digits before the point
  std::string out = negative ? "-" : "";
  if (decimal_point > 16 || decimal_point < -3) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out.append(".").append(digits, 1, std::string::npos);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp_buf;
  }
  if (decimal_point <= 0) {
    out.append("0.").append(static_cast<size_t>(-decimal_point), '0').append(digits);
    return out;
  }
  if (static_cast<size_t>(decimal_point) >= digits.size()) {
    return out + digits + std::string(static_cast<size_t>(decimal_point) - digits.size(), '0') + ".0";
  }
  return out + digits.substr(0, static_cast<size_t>(decimal_point)) + "." +
         digits.substr(static_cast<size_t>(decimal_point));
}

StatusOr<std::string> PythonStr(const Value& value, size_t max_bytes) {
  std::string out;
  FAB_RETURN_IF_ERROR(AppendRepr(value, true, 0, max_bytes, &out));
  return out;
}

StatusOr<std::string> PythonRepr(const Value& value, size_t max_bytes) {
  std::string out;
  FAB_RETURN_IF_ERROR(AppendRepr(value, false, 0, max_bytes, &out));
  return out;
}

StatusOr<std::string> ToJson(const Value& value, const JsonOptions& options, size_t max_bytes) {
  std::string out;
  JsonWriter writer{options, max_bytes, options.indent ? "," : ", ", ": ", &out};
  if (options.separators) {
    writer.item_separator = options.separators->first;
    writer.key_separator = options.separators->second;
  }
  FAB_RETURN_IF_ERROR(writer.Write(value, 0));
  if (out.size() > max_bytes) return TooLong(max_bytes);
  return out;
}

}  // namespace fab::jinja
