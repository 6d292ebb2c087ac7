// jinja2's built-in filters that chat templates use, plus Hugging Face's
// `tojson`. Each follows the Python implementation's behaviour on strings,
// sequences, mappings and Undefined.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "tokenizer/jinja/filter_helpers.h"
#include "tokenizer/jinja/python_string.h"
#include "tokenizer/jinja/value_format.h"

namespace fab::jinja {
namespace {



StatusOr<int64_t> Length(Interpreter& interp, const Value& v, const Expr& at) {
  switch (v.kind()) {
    case ValueKind::kUndefined: return 0;
    case ValueKind::kString: return static_cast<int64_t>(CodePointCount(v.as_string()));
    case ValueKind::kList: return static_cast<int64_t>(v.as_list().items.size());
    case ValueKind::kDict: return static_cast<int64_t>(v.as_dict().size());
    case ValueKind::kLoop: return static_cast<int64_t>(v.as_loop().items->items.size());
    default: return interp.Error(at, std::string("object of type '") + v.TypeName() + "' has no len()");
  }
}

StatusOr<Value> ToJsonFilter(Interpreter& interp, const Value& input, const CallArgs& args, const Expr& at) {
  JsonOptions options;
  if (const Value* v = args.Get(0, "ensure_ascii")) options.ensure_ascii = v->Truthy();
  if (const Value* v = args.Get(1, "indent"); v != nullptr && !v->is_none()) {
    if (!v->is_integral()) return interp.Error(at, "tojson: indent must be an integer");
    options.indent = v->as_int();
  }
  if (const Value* v = args.Get(2, "separators"); v != nullptr && !v->is_none()) {
    if (!v->is_list() || v->as_list().items.size() != 2 || !v->as_list().items[0].is_string() ||
        !v->as_list().items[1].is_string()) {
      return interp.Error(at, "tojson: separators must be a pair of strings");
    }
    options.separators = std::make_pair(v->as_list().items[0].as_string(), v->as_list().items[1].as_string());
  }
  if (const Value* v = args.Get(3, "sort_keys")) options.sort_keys = v->Truthy();
  FAB_ASSIGN_OR_RETURN(std::string text, ToJson(input, options, interp.limits().max_output_bytes));
  FAB_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(text.size()) / 64));
  return interp.MakeString(std::move(text));
}

StatusOr<Value> IntFilter(const Value& input, const CallArgs& args) {
  Value fallback = Value::Int(0);
  if (const Value* d = args.Get(0, "default")) fallback = *d;
  if (input.is_integral()) return Value::Int(input.as_int());
  if (input.is_float()) {
    double d = input.as_double();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return fallback;
    return Value::Int(static_cast<int64_t>(d));
  }
  if (!input.is_string()) return fallback;
  std::string s = PythonStrip(input.as_string(), std::nullopt, true, true);
  std::string digits;
  for (char c : s) {
    if (c != '_') digits.push_back(c);
  }
  char* end = nullptr;
  errno = 0;
  long long v = digits.empty() ? 0 : std::strtoll(digits.c_str(), &end, 10);
  if (!digits.empty() && errno == 0 && end == digits.c_str() + digits.size()) return Value::Int(v);
  double d = digits.empty() ? 0 : std::strtod(digits.c_str(), &end);
  if (!digits.empty() && end == digits.c_str() + digits.size() && std::isfinite(d) && std::fabs(d) < 9.2e18) {
    return Value::Int(static_cast<int64_t>(d));
  }
  return fallback;
}

StatusOr<Value> FloatFilter(const Value& input, const CallArgs& args) {
  Value fallback = Value::Float(0.0);
  if (const Value* d = args.Get(0, "default")) fallback = *d;
  if (input.is_number()) return Value::Float(input.as_double());
  if (!input.is_string()) return fallback;
  std::string s = PythonStrip(input.as_string(), std::nullopt, true, true);
  char* end = nullptr;
  double d = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return fallback;
  return Value::Float(d);
}

StatusOr<Value> RoundFilter(Interpreter& interp, const Value& input, const CallArgs& args, const Expr& at) {
  FAB_ASSIGN_OR_RETURN(int64_t precision, [&]() -> StatusOr<int64_t> {
    const Value* p = args.Get(0, "precision");
    if (p == nullptr) return int64_t{0};
    if (!p->is_integral()) return interp.Error(at, "round: precision must be an integer");
    return p->as_int();
  }());
  std::string method = "common";
  if (const Value* m = args.Get(1, "method"); m != nullptr && m->is_string()) method = m->as_string();
  if (!input.is_number()) return interp.Error(at, std::string("round: expected a number, not ") + input.TypeName());
  if (method == "common" && input.is_integral()) return Value::Int(input.as_int());
  if (precision < -300 || precision > 300) return interp.Error(at, "round: precision out of range");
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = input.as_double() * scale;
  double r = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::nearbyint(x);
  if (method != "common" && method != "ceil" && method != "floor") {
    return interp.Error(at, "round: method must be common, ceil or floor");
  }
  return Value::Float(r / scale);
}

}  // namespace

// jinja2's built-in filter names plus HF's tojson: the few we do not
// implement are Unimplemented, any other name "No filter named".
bool IsJinjaFilterName(const std::string& name) {
  static const char* const kNames[] = {
      "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
      "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join",
      "last", "length", "list", "lower", "map", "max", "min", "pprint", "random", "reject", "rejectattr",
      "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags",
      "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount",
      "wordwrap", "xmlattr"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

// The value of attribute path "a.b.0" on item, as jinja2's make_attrgetter reads it.
StatusOr<Value> GetAttributePath(Interpreter& interp, const Value& item, const std::string& path, const Expr& at) {
  Value current = item;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    Value key = numeric && part.size() < 18 ? Value::Int(std::stoll(part)) : Value::String(part);
    FAB_ASSIGN_OR_RETURN(current, interp.GetItem(current, key, at));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return current;
}

// A sort key: strings lowered unless case-sensitive.
Value SortKey(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value::String(PythonLower(v.as_string()));
  return v;
}

StatusOr<std::vector<Value>> SortValues(Interpreter& interp, std::vector<Value> items, std::vector<Value> keys,
                                        bool reverse, const Expr& at) {
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  bool incomparable = false;
  int64_t work = 0;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    std::optional<bool> less = reverse ? ValueLess(keys[b], keys[a], &work) : ValueLess(keys[a], keys[b], &work);
    if (!less) incomparable = true;
    return less.value_or(false);
  });
  FAB_RETURN_IF_ERROR(interp.Charge(work / 8));
  if (incomparable) return interp.Error(at, "sort: values are not comparable");
  FAB_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(items.size()) / 4));
  std::vector<Value> sorted;
  for (size_t i : order) sorted.push_back(items[i]);
  return sorted;
}

StatusOr<Value> Interpreter::ApplyFilter(const std::string& name, const Value& input, const CallArgs& args,
                                         const Expr& at) {
  FAB_RETURN_IF_ERROR(Charge(1));
  if (name == "tojson") return ToJsonFilter(*this, input, args, at);
  if (name == "safe") return input;
  if (name == "default" || name == "d") {
    const Value* fallback = args.Get(0, "default_value");
    const Value* boolean = args.Get(1, "boolean");
    bool use_default = input.is_undefined() || (boolean != nullptr && boolean->Truthy() && !input.Truthy());
    if (!use_default) return input;
    return fallback != nullptr ? *fallback : Value::String("");
  }
  if (name == "length" || name == "count") {
    FAB_ASSIGN_OR_RETURN(int64_t n, Length(*this, input, at));
    return Value::Int(n);
  }
  if (name == "string") {
    FAB_ASSIGN_OR_RETURN(std::string text, Str(input));
    return MakeString(std::move(text));
  }
  if (IsTextFilter(name)) {
    FAB_ASSIGN_OR_RETURN(std::string text, Str(input));
    return ApplyTextFilter(*this, name, text, args, at);
  }
  if (name == "int") return IntFilter(input, args);
  if (name == "float") return FloatFilter(input, args);
  if (name == "abs") {
    if (!input.is_number()) return Error(at, std::string("bad operand type for abs(): '") + input.TypeName() + "'");
    if (input.is_float()) return Value::Float(std::fabs(input.as_double()));
    if (input.as_int() == INT64_MIN) return Error(at, "integer overflow");
    return Value::Int(std::llabs(input.as_int()));
  }
  if (name == "round") return RoundFilter(*this, input, args, at);
  if (name == "attr") {
    const Value* attr = args.Get(0, "name");
    if (attr == nullptr || !attr->is_string()) return Error(at, "attr: expected an attribute name");
    return GetAttr(input, attr->as_string(), at);
  }
  if (name == "items") {
    if (input.is_undefined()) return MakeList({});
    if (!input.is_dict()) return Error(at, "items: can only get item pairs from a mapping");
    return CallValue(MakeBoundMethod(input, "items"), {}, at);
  }
  if (name == "dictsort") {
    if (!input.is_dict()) return Error(at, "dictsort: expected a mapping");
    const Value* case_sensitive = args.Get(0, "case_sensitive");
    const Value* by = args.Get(1, "by");
    const Value* reverse = args.Get(2, "reverse");
    bool by_value = by != nullptr && by->is_string() && by->as_string() == "value";
    std::vector<Value> items, keys;
    for (const auto& [k, v] : input.as_dict().entries()) {
      items.push_back(Value::List({k, v}, true));
      keys.push_back(SortKey(by_value ? v : k, case_sensitive && case_sensitive->Truthy()));
    }
    FAB_ASSIGN_OR_RETURN(std::vector<Value> sorted,
                         SortValues(*this, std::move(items), std::move(keys), reverse && reverse->Truthy(), at));
    return MakeList(std::move(sorted));
  }
  return ApplySequenceFilter(name, input, args, at);
}

}  // namespace fab::jinja
