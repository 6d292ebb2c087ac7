#include "grammar/json_schema.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "grammar/gbnf.h"
#include "grammar/regex.h"

namespace fab::grammar {
namespace {

namespace json = boost::json;

// Rules every schema may use; emitted only when referred to.
const std::map<std::string, std::string, std::less<>>& BuiltinRules() {
  static const auto* rules = new std::map<std::string, std::string, std::less<>>{
      {"json-value", R"(json-object | json-array | json-string | json-number | "true" | "false" | "null")"},
      {"json-object", R"("{" ( json-string ": " json-value ( ", " json-string ": " json-value )* )? "}")"},
      {"json-array", R"("[" ( json-value ( ", " json-value )* )? "]")"},
      {"json-string", R"("\"" json-char* "\"")"},
      {"json-char", R"([^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ))"},
      {"json-number", R"("-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )?)"},
      {"json-nonnegative-number", R"(( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )?)"},
      {"json-integer", R"("-"? ( "0" | [1-9] [0-9]{0,18} ))"},
      {"json-date", R"([0-9]{4} "-" ( ( "0" [13578] | "1" [02] ) "-" ( "0" [1-9] | [12] [0-9] | "3" [01] ) | ( "0" [469] | "11" ) "-" ( "0" [1-9] | [12] [0-9] | "30" ) | "02-" ( "0" [1-9] | "1" [0-9] | "2" [0-8] ) ))"},
      {"json-time", R"(( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,6} )? ( "Z" | [+-] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ))"},
      {"json-uuid", R"([0-9a-f]{8} "-" [0-9a-f]{4} "-" [0-9a-f]{4} "-" [0-9a-f]{4} "-" [0-9a-f]{12})"},
      {"json-email-label", R"([a-zA-Z0-9] ( [a-zA-Z0-9-]{0,20} [a-zA-Z0-9] )?)"},
      {"json-email", R"([a-zA-Z0-9_+-]{1,32} ( "." [a-zA-Z0-9_+-]{1,32} ){0,3} "@" json-email-label ( "." json-email-label ){1,3})"},
  };
  return *rules;
}

// Keywords that only annotate: ignored.
bool IsAnnotation(std::string_view key) {
  static const std::set<std::string_view> kAnnotations = {
      "title",    "description", "default",  "examples", "$schema", "$id",    "$comment",   "deprecated",
      "readOnly", "writeOnly",   "$anchor",  "strict",   "name",    "$defs", "definitions", "discriminator"};
  return kAnnotations.count(key) > 0;
}

std::string JsonText(const json::value& value) { return json::serialize(value); }

std::string Digits(uint64_t value) { return std::to_string(value); }

// Decimal strings of equal length from `lo` to `hi` (lo <= hi), as GBNF.
std::string SameLengthRange(std::string_view lo, std::string_view hi) {
  if (lo.empty()) return "";
  const size_t rest = lo.size() - 1;
  if (lo[0] == hi[0]) {
    const std::string tail = SameLengthRange(lo.substr(1), hi.substr(1));
    return GbnfLiteral(lo.substr(0, 1)) + (tail.empty() ? "" : " " + tail);
  }
  const auto all = [](std::string_view s, char c) { return std::all_of(s.begin(), s.end(), [c](char x) { return x == c; }); };
  const std::string any_rest = rest == 0 ? "" : " [0-9]{" + std::to_string(rest) + "}";
  if (all(lo.substr(1), '0') && all(hi.substr(1), '9')) {
    return std::string("[") + lo[0] + "-" + hi[0] + "]" + any_rest;
  }
  std::vector<std::string> alternatives;
  const std::string nines(rest, '9'), zeros(rest, '0');
  const std::string low_tail = SameLengthRange(lo.substr(1), nines);
  alternatives.push_back(GbnfLiteral(lo.substr(0, 1)) + (low_tail.empty() ? "" : " " + low_tail));
  if (hi[0] - lo[0] > 1) {
    alternatives.push_back(std::string("[") + static_cast<char>(lo[0] + 1) + "-" + static_cast<char>(hi[0] - 1) + "]" +
                           any_rest);
  }
  const std::string high_tail = SameLengthRange(zeros, hi.substr(1));
  alternatives.push_back(GbnfLiteral(hi.substr(0, 1)) + (high_tail.empty() ? "" : " " + high_tail));
  std::string out = "(";
  for (size_t i = 0; i < alternatives.size(); ++i) out += (i ? " | " : " ") + alternatives[i];
  return out + " )";
}

constexpr uint64_t kMaxMagnitude = 9999999999999999999ull;  // 19 digits

// Non-negative integers from lo to hi (hi nullopt: up to 19 digits), no leading zeros.
std::string NonNegativeRange(uint64_t lo, std::optional<uint64_t> hi) {
  const uint64_t top = hi.value_or(kMaxMagnitude);
  std::vector<std::string> alternatives;
  uint64_t low_of_length = 0, high_of_length = 9;
  for (int length = 1; length <= 19; ++length) {
    const uint64_t a = std::max(lo, low_of_length), b = std::min(top, high_of_length);
    if (a <= b) {
      if (!hi && b == high_of_length && a == low_of_length && length > 1) {
        // Every number of this length and up: a bounded run of digits.
        alternatives.push_back("[1-9] [0-9]{" + std::to_string(length - 1) + ",18}");
        break;
      }
      alternatives.push_back(SameLengthRange(Digits(a), Digits(b)));
    }
    if (length == 19) break;
    low_of_length = high_of_length + 1;
    high_of_length = high_of_length * 10 + 9;
  }
  if (alternatives.size() == 1) return alternatives[0];
  std::string out = "(";
  for (size_t i = 0; i < alternatives.size(); ++i) out += (i ? " | " : " ") + alternatives[i];
  return out + " )";
}

class SchemaCompiler {
 public:

  // `prefix` starts every rule name the schema needs ("s-…" when empty).
  SchemaCompiler(const json::value& root, std::string prefix) : root_(root), prefix_(std::move(prefix)) {}

  // "<top> ::= …" and the schema's own rules; builtins are not included.
  StatusOr<std::string> CompileRules(std::string_view top) {
    FAB_ASSIGN_OR_RETURN(std::string body, Visit(root_, "#"));
    std::string text = std::string(top) + " ::= " + body + "\n";
    for (const auto& [name, rule] : rules_) text += name + " ::= " + rule + "\n";
    return text;
  }

  // `text` with the builtin rules it refers to, and those they use, appended.
  static std::string WithBuiltins(std::string text) {
    std::set<std::string> emitted;
    for (bool added = true; added;) {
      added = false;
      for (const auto& [name, rule] : BuiltinRules()) {
        if (emitted.count(name) || !Mentions(text, name)) continue;
        text += name + " ::= " + rule + "\n";
        emitted.insert(name);
        added = true;
      }
    }
    return text;
  }

 private:
  static bool Mentions(const std::string& text, const std::string& name) {
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
      const size_t end = at + name.size();
      const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; };
      if ((at == 0 || !word(text[at - 1])) && (end == text.size() || !word(text[end]))) return true;
    }
    return false;
  }

  static Status Refuse(const std::string& what, const std::string& path) {
    return InvalidArgumentError("JSON schema at " + path + ": " + what);
  }

  std::string NewRule(std::string_view hint, std::string body) {
    std::string base = prefix_ + "s-";
    for (char c : hint) base += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    if (base.size() > 40) base.resize(40);
    std::string name = base;
    for (int i = 2; rules_.count(name); ++i) name = base + "-" + std::to_string(i);
    rules_[name] = std::move(body);
    return name;
  }

  StatusOr<std::string> Visit(const json::value& schema, const std::string& path) {
    if (++depth_ > 64) return Refuse("schemas nest deeper than 64 levels", path);
    auto result = VisitInner(schema, path);
    --depth_;
    return result;
  }

  StatusOr<std::string> VisitInner(const json::value& schema, const std::string& path) {
    if (schema.is_bool()) {
      if (schema.as_bool()) return std::string("json-value");
      return Refuse("`false` admits no value", path);
    }
    if (!schema.is_object()) return Refuse("a schema must be an object or a boolean", path);
    const json::object& s = schema.as_object();
    static const std::set<std::string_view> kKnown = {
        "type", "properties", "required", "additionalProperties", "items", "prefixItems", "minItems", "maxItems",
        "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "minLength", "maxLength", "format", "minimum",
        "maximum", "exclusiveMinimum", "exclusiveMaximum", "nullable", "pattern"};
    for (const auto& [key, value] : s) {
      if (!kKnown.count(key) && !IsAnnotation(key)) {
        return Refuse("keyword '" + std::string(key) + "' is not supported", path);
      }
    }
    FAB_ASSIGN_OR_RETURN(std::string expression, VisitNonNull(s, path));
    if (const json::value* nullable = s.if_contains("nullable"); nullable && nullable->is_bool() && nullable->as_bool()) {
      return "( " + expression + " | \"null\" )";
    }
    return expression;
  }

  // Keywords of `s` that constrain besides `except` (annotations and
  // nullable aside): a schema that combines $ref, const, enum, anyOf or
  // oneOf with others would need both honoured at once, which is refused.
  static std::optional<std::string> OtherConstraint(const json::object& s, std::initializer_list<std::string_view> except) {
    for (const auto& [key, value] : s) {
      if (IsAnnotation(key) || key == "nullable") continue;
      if (std::find(except.begin(), except.end(), key) == except.end()) return std::string(key);
    }
    return std::nullopt;
  }

  // The JSON type name of a value, as "type" lists them ("integer" for whole numbers).
  static bool HasType(const json::value& value, std::string_view type) {
    if (type == "null") return value.is_null();
    if (type == "boolean") return value.is_bool();
    if (type == "string") return value.is_string();
    if (type == "array") return value.is_array();
    if (type == "object") return value.is_object();
    if (type == "number") return value.is_number();
    if (type == "integer") {
      return value.is_int64() || value.is_uint64() || (value.is_double() && value.as_double() == std::floor(value.as_double()));
    }
    return false;
  }

  // const / enum values, those of the sibling "type" only.
  StatusOr<std::string> Literals(const json::object& s, const json::array& values, const std::string& path) {
    const json::value* type = s.if_contains("type");
    std::string out = "(";
    int kept = 0;
    for (const json::value& v : values) {
      bool fits = type == nullptr;
      if (type != nullptr && type->is_string()) fits = HasType(v, type->as_string());
      if (type != nullptr && type->is_array()) {
        for (const json::value& t : type->as_array()) fits = fits || (t.is_string() && HasType(v, t.as_string()));
      }
      if (!fits) continue;
      out += (kept++ ? " | " : " ") + GbnfLiteral(JsonText(v));
    }
    if (kept == 0) return Refuse("no enum or const value has the schema's type", path);
    return out + " )";
  }

  StatusOr<std::string> VisitNonNull(const json::object& s, const std::string& path) {
    if (const json::value* ref = s.if_contains("$ref")) {
      if (auto other = OtherConstraint(s, {"$ref"})) return Refuse("$ref beside '" + *other + "' is not supported", path);
      return VisitRef(*ref, path);
    }
    if (const json::value* value = s.if_contains("const")) {
      if (auto other = OtherConstraint(s, {"const", "type"})) return Refuse("const beside '" + *other + "' is not supported", path);
      return Literals(s, json::array{*value}, path);
    }
    if (const json::value* values = s.if_contains("enum")) {
      if (!values->is_array() || values->as_array().empty()) return Refuse("enum must be a non-empty array", path);
      if (auto other = OtherConstraint(s, {"enum", "type"})) return Refuse("enum beside '" + *other + "' is not supported", path);
      return Literals(s, values->as_array(), path);
    }
    if (const json::value* branches = s.if_contains("oneOf")) {
      // Written as anyOf, which is exact only when no value can match two branches.
      if (!branches->is_array()) return Refuse("oneOf must be an array", path);
      std::set<std::string> types;
      for (const json::value& branch : branches->as_array()) {
        const json::value* type = branch.is_object() ? branch.as_object().if_contains("type") : nullptr;
        if (type == nullptr || !type->is_string() || !types.insert(std::string(type->as_string())).second) {
          return Refuse("oneOf is supported only when its branches have distinct single types", path);
        }
      }
      if (types.count("integer") && types.count("number")) {
        return Refuse("oneOf of integer and number overlaps (every integer is a number)", path);
      }
    }
    for (const char* key : {"anyOf", "oneOf"}) {
      if (const json::value* branches = s.if_contains(key)) {
        if (auto other = OtherConstraint(s, {key})) {
          return Refuse(std::string(key) + " beside '" + *other + "' is not supported", path);
        }
        if (!branches->is_array() || branches->as_array().empty()) {
          return Refuse(std::string(key) + " must be a non-empty array", path);
        }
        std::string out = "(";
        int kept = 0;
        for (size_t i = 0; i < branches->as_array().size(); ++i) {
          const json::value& branch = branches->as_array()[i];
          if (branch.is_bool() && !branch.as_bool()) continue;  // admits nothing: no alternative
          FAB_ASSIGN_OR_RETURN(std::string expression, Visit(branch, path + "/" + key + "/" + std::to_string(i)));
          out += (kept++ ? " | " : " ") + expression;
        }
        if (kept == 0) return Refuse(std::string(key) + " has no branch that admits a value", path);
        return out + " )";
      }
    }
    if (const json::value* all = s.if_contains("allOf")) {
      if (auto other = OtherConstraint(s, {"allOf"})) return Refuse("allOf beside '" + *other + "' is not supported", path);
      if (!all->is_array() || all->as_array().size() != 1) {
        return Refuse("allOf is supported with exactly one schema", path);
      }
      return Visit(all->as_array()[0], path + "/allOf/0");
    }
    const json::value* type = s.if_contains("type");
    if (type == nullptr) {
      if (s.contains("properties") || s.contains("additionalProperties") || s.contains("required")) {
        return ObjectOf(s, path);
      }
      if (s.contains("items") || s.contains("prefixItems") || s.contains("minItems") || s.contains("maxItems")) {
        return ArrayOf(s, path);
      }
      if (s.contains("minLength") || s.contains("maxLength") || s.contains("format") || s.contains("pattern")) {
        return StringOf(s, path);
      }
      if (s.contains("minimum") || s.contains("maximum") || s.contains("exclusiveMinimum") ||
          s.contains("exclusiveMaximum")) {
        return NumberOf(s, path);
      }
      return std::string("json-value");
    }
    if (type->is_string()) return OfType(type->as_string(), s, path);
    if (!type->is_array() || type->as_array().empty()) return Refuse("type must be a string or a list", path);
    std::string out = "(";
    for (size_t i = 0; i < type->as_array().size(); ++i) {
      const json::value& one = type->as_array()[i];
      if (!one.is_string()) return Refuse("type must list strings", path);
      FAB_ASSIGN_OR_RETURN(std::string branch, OfType(one.as_string(), s, path));
      out += (i ? " | " : " ") + branch;
    }
    return out + " )";
  }

  StatusOr<std::string> OfType(std::string_view type, const json::object& s, const std::string& path) {
    if (type == "object") return ObjectOf(s, path);
    if (type == "array") return ArrayOf(s, path);
    if (type == "string") return StringOf(s, path);
    if (type == "integer") return IntegerOf(s, path);
    if (type == "number") return NumberOf(s, path);
    if (type == "boolean") return std::string("( \"true\" | \"false\" )");
    if (type == "null") return std::string("\"null\"");
    return Refuse("type '" + std::string(type) + "' is not a JSON Schema type", path);
  }

  StatusOr<std::string> VisitRef(const json::value& ref, const std::string& path) {
    if (!ref.is_string()) return Refuse("$ref must be a string", path);
    const std::string target(ref.as_string());
    if (auto named = ref_rules_.find(target); named != ref_rules_.end()) return named->second;
    if (target.empty() || target[0] != '#') return Refuse("$ref '" + target + "' is not local (#...)", path);
    const json::value* resolved = &root_;
    std::string_view pointer = std::string_view(target).substr(1);
    while (!pointer.empty()) {
      if (pointer[0] != '/') return Refuse("$ref '" + target + "' is not a JSON pointer", path);
      pointer.remove_prefix(1);
      const size_t slash = pointer.find('/');
      std::string token(pointer.substr(0, slash));
      pointer = slash == std::string_view::npos ? std::string_view() : pointer.substr(slash);
      for (size_t at; (at = token.find("~1")) != std::string::npos;) token.replace(at, 2, "/");
      for (size_t at; (at = token.find("~0")) != std::string::npos;) token.replace(at, 2, "~");
      const json::value* next = resolved->is_object() ? resolved->as_object().if_contains(token) : nullptr;
      if (next == nullptr) return Refuse("$ref '" + target + "' points at nothing", path);
      resolved = next;
    }
    // Named before it is compiled, so a schema may refer to itself.
    const std::string name = NewRule("ref-" + target.substr(target.rfind('/') + 1), "");
    ref_rules_[target] = name;
    FAB_ASSIGN_OR_RETURN(std::string body, Visit(*resolved, target));
    rules_[name] = body;
    return name;
  }

  static StatusOr<std::optional<uint64_t>> Count(const json::object& s, const char* key, const std::string& path) {
    const json::value* value = s.if_contains(key);
    if (value == nullptr) return std::optional<uint64_t>();
    if (!value->is_number()) return Refuse(std::string(key) + " must be a number", path);
    const double count = value->to_number<double>();
    // Range first: casting a double beyond int64 is undefined.
    if (!(count >= 0 && count <= static_cast<double>(kMaxRepetition)) || count != std::floor(count)) {
      return Refuse(std::string(key) + " must be a whole number from 0 to " + std::to_string(kMaxRepetition), path);
    }
    return std::optional<uint64_t>(static_cast<uint64_t>(count));
  }

  StatusOr<std::string> StringOf(const json::object& s, const std::string& path) {
    FAB_ASSIGN_OR_RETURN(std::optional<uint64_t> min, Count(s, "minLength", path));
    FAB_ASSIGN_OR_RETURN(std::optional<uint64_t> max, Count(s, "maxLength", path));
    if (const json::value* pattern = s.if_contains("pattern")) return PatternOf(*pattern, min || max || s.contains("format"), path);
    if (const json::value* format = s.if_contains("format")) {
      if (min || max) return Refuse("format together with minLength / maxLength is not supported", path);
      const std::string name = format->is_string() ? std::string(format->as_string()) : "";
      if (name == "date") return std::string("\"\\\"\" json-date \"\\\"\"");
      if (name == "time") return std::string("\"\\\"\" json-time \"\\\"\"");
      if (name == "date-time") return std::string("\"\\\"\" json-date \"T\" json-time \"\\\"\"");
      if (name == "uuid") return std::string("\"\\\"\" json-uuid \"\\\"\"");
      if (name == "email") return std::string("\"\\\"\" json-email \"\\\"\"");
      return Refuse("format '" + name + "' is not supported (date, time, date-time, uuid, email are)", path);
    }
    if (!min && !max) return std::string("json-string");
    if (max && min && *max < *min) return Refuse("maxLength is below minLength", path);
    const std::string bounds = "{" + std::to_string(min.value_or(0)) + "," + (max ? std::to_string(*max) : "") + "}";
    return "\"\\\"\" json-char" + bounds + " \"\\\"\"";
  }

  // A string whose text the regex `pattern` finds (JSON Schema's search:
  // unanchored ends take any characters).
  StatusOr<std::string> PatternOf(const json::value& pattern, bool with_other_string_keywords, const std::string& path) {
    if (!pattern.is_string()) return Refuse("pattern must be a string", path);
    if (with_other_string_keywords) {
      return Refuse("pattern together with minLength / maxLength / format is not supported", path);
    }
    StatusOr<RegexGbnf> regex = RegexToGbnf(pattern.as_string(), RegexContext::kJsonString);
    if (!regex.ok()) return Refuse("pattern: " + regex.status().message(), path);
    std::string body = regex->expression;
    if (!regex->anchored_start) body = "json-char* " + body;
    if (!regex->anchored_end) body += " json-char*";
    return "\"\\\"\" " + NewRule("pattern", body) + " \"\\\"\"";
  }

  // An integer bound: minimum / exclusiveMinimum (or the maximum pair) as the
  // tightest inclusive integer, within ±(10^19 - 1).
  static StatusOr<std::optional<int64_t>> IntegerBound(const json::object& s, bool lower, const std::string& path) {
    std::optional<double> bound;
    for (const char* key : lower ? std::array{"minimum", "exclusiveMinimum"} : std::array{"maximum", "exclusiveMaximum"}) {
      const json::value* value = s.if_contains(key);
      if (value == nullptr) continue;
      if (!value->is_number()) return Refuse(std::string(key) + " must be a number", path);
      const double v = value->to_number<double>();
      const bool exclusive = std::string_view(key).rfind("exclusive", 0) == 0;
      // The tightest integer on the allowed side of v.
      const double inclusive =
          lower ? (exclusive ? std::floor(v) + 1 : std::ceil(v)) : (exclusive ? std::ceil(v) - 1 : std::floor(v));
      if (std::fabs(inclusive) > 9.2e18) return Refuse(std::string(key) + " is beyond 64-bit integers", path);
      bound = bound ? (lower ? std::max(*bound, inclusive) : std::min(*bound, inclusive)) : inclusive;
    }
    if (!bound) return std::optional<int64_t>();
    return std::optional<int64_t>(static_cast<int64_t>(*bound));
  }

  StatusOr<std::string> IntegerOf(const json::object& s, const std::string& path) {
    FAB_ASSIGN_OR_RETURN(std::optional<int64_t> lo, IntegerBound(s, true, path));
    FAB_ASSIGN_OR_RETURN(std::optional<int64_t> hi, IntegerBound(s, false, path));
    if (!lo && !hi) return std::string("json-integer");
    if (lo && hi && *hi < *lo) return Refuse("no integer lies between the minimum and the maximum", path);
    std::vector<std::string> parts;
    if (!lo || *lo < 0) {  // negative numbers: "-" and a magnitude
      const uint64_t smallest = hi && *hi < 0 ? static_cast<uint64_t>(-*hi) : 1;
      const std::optional<uint64_t> largest = lo ? std::optional<uint64_t>(static_cast<uint64_t>(-*lo)) : std::nullopt;
      parts.push_back("\"-\" " + NonNegativeRange(smallest, largest));
    }
    if (!hi || *hi >= 0) {
      const uint64_t smallest = lo && *lo > 0 ? static_cast<uint64_t>(*lo) : 0;
      parts.push_back(NonNegativeRange(smallest, hi ? std::optional<uint64_t>(static_cast<uint64_t>(*hi)) : std::nullopt));
    }
    return NewRule("int", parts.size() == 1 ? parts[0] : parts[0] + " | " + parts[1]);
  }

  // Numbers: unbounded, or non-negative with fractions (minimum 0 alone);
  // other bounds are met by writing the integers within them (a subset of
  // the numbers the schema accepts).
  StatusOr<std::string> NumberOf(const json::object& s, const std::string& path) {
    const bool bounded = s.contains("minimum") || s.contains("maximum") || s.contains("exclusiveMinimum") ||
                         s.contains("exclusiveMaximum");
    if (!bounded) return std::string("json-number");
    const json::value* minimum = s.if_contains("minimum");
    if (minimum != nullptr && minimum->is_number() && minimum->to_number<double>() == 0.0 &&
        !s.contains("maximum") && !s.contains("exclusiveMinimum") && !s.contains("exclusiveMaximum")) {
      return std::string("json-nonnegative-number");
    }
    return IntegerOf(s, path);
  }

  StatusOr<std::string> ObjectOf(const json::object& s, const std::string& path) {
    const json::value* properties = s.if_contains("properties");
    if (properties != nullptr && !properties->is_object()) return Refuse("properties must be an object", path);
    std::set<std::string> required;
    if (const json::value* names = s.if_contains("required")) {
      if (!names->is_array()) return Refuse("required must be an array", path);
      for (const json::value& name : names->as_array()) {
        if (!name.is_string()) return Refuse("required must list strings", path);
        required.insert(std::string(name.as_string()));
      }
    }
    // Extra members: any when nothing is listed and nothing is said; else as
    // additionalProperties says (absent: none).
    const json::value* additional = s.if_contains("additionalProperties");
    std::optional<std::string> extra;
    if (additional != nullptr && !(additional->is_bool() && !additional->as_bool())) {
      FAB_ASSIGN_OR_RETURN(std::string value, Visit(*additional, path + "/additionalProperties"));
      extra = "json-string \": \" " + value;
    } else if (additional == nullptr && properties == nullptr) {
      extra = "json-string \": \" json-value";
    }
    std::vector<std::pair<std::string, bool>> members;  // (member expression, required)
    if (properties != nullptr) {
      for (const auto& [key, value] : properties->as_object()) {
        FAB_ASSIGN_OR_RETURN(std::string expression, Visit(value, path + "/properties/" + std::string(key)));
        members.push_back({GbnfLiteral(JsonText(json::string(key)) + ": ") + " " + expression,
                           required.erase(std::string(key)) > 0});
      }
    }
    if (!required.empty() && !extra) {
      return Refuse("required property '" + *required.begin() + "' is not among the properties", path);
    }
    if (!required.empty()) return Refuse("required properties outside `properties` are not supported", path);
    // rest(i, first): members i.. in order, each optional one maybe left out,
    // then the extra ones; `first`: nothing written yet (no comma before).
    std::map<std::pair<size_t, bool>, std::string> rest_rules;
    std::function<std::string(size_t, bool)> rest = [&](size_t i, bool first) -> std::string {
      if (auto known = rest_rules.find({i, first}); known != rest_rules.end()) return known->second;
      std::string body;
      if (i == members.size()) {
        if (!extra) return "";
        body = first ? "( " + *extra + " ( \", \" " + *extra + " )* )?" : "( \", \" " + *extra + " )*";
      } else {
        const std::string comma = first ? "" : "\", \" ";
        const std::string after = rest(i + 1, false);
        body = comma + members[i].first + (after.empty() ? "" : " " + after);
        if (!members[i].second) {
          const std::string skipped = rest(i + 1, first);
          body = "( " + body + " )" + (skipped.empty() ? "?" : " | " + skipped);
        }
      }
      const std::string name = NewRule("obj", body);
      rest_rules[{i, first}] = name;
      return name;
    };
    const std::string inside = rest(0, true);
    return "\"{\" " + (inside.empty() ? "" : inside + " ") + "\"}\"";
  }

  StatusOr<std::string> ArrayOf(const json::object& s, const std::string& path) {
    FAB_ASSIGN_OR_RETURN(std::optional<uint64_t> min, Count(s, "minItems", path));
    FAB_ASSIGN_OR_RETURN(std::optional<uint64_t> max, Count(s, "maxItems", path));
    if (min && max && *max < *min) return Refuse("maxItems is below minItems", path);
    std::vector<std::string> prefix;
    if (const json::value* items = s.if_contains("prefixItems")) {
      if (!items->is_array()) return Refuse("prefixItems must be an array", path);
      for (size_t i = 0; i < items->as_array().size(); ++i) {
        FAB_ASSIGN_OR_RETURN(std::string item, Visit(items->as_array()[i], path + "/prefixItems/" + std::to_string(i)));
        prefix.push_back(item);
      }
    }
    std::optional<std::string> item = std::string("json-value");
    if (const json::value* items = s.if_contains("items")) {
      if (items->is_bool() && !items->as_bool()) {
        item.reset();
      } else {
        FAB_ASSIGN_OR_RETURN(std::string one, Visit(*items, path + "/items"));
        item = one;
      }
    }
    const uint64_t lo = min.value_or(0);
    const uint64_t limit = item ? max.value_or(UINT64_MAX) : std::min<uint64_t>(max.value_or(UINT64_MAX), prefix.size());
    if (lo > limit) return Refuse("minItems asks for more items than the array may hold", path);
    // elements(i): items i.. ("," before each but the first), i < limit.
    std::function<std::string(uint64_t)> elements = [&](uint64_t i) -> std::string {
      const std::string comma = i == 0 ? "" : "\", \" ";
      if (i >= prefix.size()) {  // uniform from here: item{lo - i, limit - i}
        const uint64_t need = lo > i ? lo - i : 0;
        if (limit == i) return "";
        const std::string bounds = "{" + std::to_string(need) + "," +
                                   (limit == UINT64_MAX ? "" : std::to_string(limit - i)) + "}";
        if (i > 0) return "( \", \" " + *item + " )" + bounds;
        // The first item has no comma before it.
        const std::string others = "( \", \" " + *item + " )" + "{" + std::to_string(need > 0 ? need - 1 : 0) + "," +
                                   (limit == UINT64_MAX ? "" : std::to_string(limit - 1)) + "}";
        return need > 0 ? *item + " " + others : "( " + *item + " " + others + " )?";
      }
      const std::string next = i + 1 < limit ? elements(i + 1) : "";
      std::string body = comma + prefix[i] + (next.empty() ? "" : " " + next);
      if (i >= lo) body = "( " + body + " )?";
      return NewRule("items", body);
    };
    const std::string inside = limit == 0 ? "" : elements(0);
    return "\"[\" " + (inside.empty() ? "" : inside + " ") + "\"]\"";
  }

  const json::value& root_;
  const std::string prefix_;
  std::map<std::string, std::string> rules_;
  std::map<std::string, std::string> ref_rules_;
  int depth_ = 0;
};

}  // namespace

StatusOr<std::string> JsonSchemaToGbnf(const boost::json::value& schema) {
  FAB_ASSIGN_OR_RETURN(std::string text, SchemaCompiler(schema, "").CompileRules("root"));
  return SchemaCompiler::WithBuiltins(std::move(text));
}

StatusOr<std::string> JsonSchemaRulesGbnf(const std::vector<NamedSchema>& schemas) {
  std::string text;
  for (const NamedSchema& named : schemas) {
    StatusOr<std::string> rules = SchemaCompiler(*named.schema, named.rule + "-").CompileRules(named.rule);
    if (!rules.ok()) return Status(rules.status().code(), named.where + ": " + rules.status().message());
    text += *rules;
  }
  return SchemaCompiler::WithBuiltins(std::move(text));
}

StatusOr<Grammar> JsonSchemaToGrammar(const boost::json::value& schema, const GrammarLimits& limits) {
  FAB_ASSIGN_OR_RETURN(std::string gbnf, JsonSchemaToGbnf(schema));
  return ParseGbnf(gbnf, limits);
}

std::string AnyJsonObjectGbnf() {
  const auto& rules = BuiltinRules();
  std::string text = "root ::= json-object\n";
  for (const char* name : {"json-value", "json-object", "json-array", "json-string", "json-char", "json-number"}) {
    text += std::string(name) + " ::= " + rules.at(name) + "\n";
  }
  return text;
}

}  // namespace fab::grammar
