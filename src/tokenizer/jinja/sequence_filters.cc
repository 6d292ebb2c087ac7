// jinja2's filters over sequences: first/last/reverse/list/join/map,
// select/reject(attr), sort/unique/min/max/sum and batch.
#include <algorithm>
#include <unordered_set>

#include "tokenizer/jinja/filter_helpers.h"
#include "tokenizer/jinja/python_string.h"

namespace fab::jinja {
namespace {

// join(d, attribute): str() of each item, separated.
StatusOr<Value> JoinFilter(Interpreter& interp, const std::vector<Value>& items, const CallArgs& args, const Expr& at) {
  const Value* separator = args.Get(0, "d");
  const Value* attribute = args.Get(1, "attribute");
  std::string sep;
  if (separator != nullptr) {
    FAB_ASSIGN_OR_RETURN(sep, interp.Str(*separator));
  }
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    Value item = items[i];
    if (attribute != nullptr && attribute->is_string()) {
      FAB_ASSIGN_OR_RETURN(item, GetAttributePath(interp, item, attribute->as_string(), at));
    }
    FAB_ASSIGN_OR_RETURN(std::string text, interp.Str(item));
    if (i > 0) out += sep;
    out += text;
    if (out.size() > interp.limits().max_output_bytes) return ResourceExhaustedError("join result exceeds the size limit");
  }
  return interp.MakeString(std::move(out));
}

// map(attribute=…, default=…) or map('filter', args…).
StatusOr<Value> MapFilter(Interpreter& interp, const std::vector<Value>& items, const CallArgs& args, const Expr& at) {
  std::vector<Value> out;
  const Value* attribute = args.Keyword("attribute");
  if (attribute != nullptr) {
    if (!attribute->is_string()) return interp.Error(at, "map: attribute must be a string");
    const Value* fallback = args.Keyword("default");
    for (const Value& item : items) {
      FAB_ASSIGN_OR_RETURN(Value v, GetAttributePath(interp, item, attribute->as_string(), at));
      out.push_back(v.is_undefined() && fallback != nullptr ? *fallback : v);
    }
    return interp.MakeList(std::move(out));
  }
  if (args.positional.empty() || !args.positional[0].is_string()) return interp.Error(at, "map: expected a filter name");
  CallArgs rest;
  rest.positional.assign(args.positional.begin() + 1, args.positional.end());
  rest.keyword = args.keyword;
  for (const Value& item : items) {
    FAB_ASSIGN_OR_RETURN(Value v, interp.ApplyFilter(args.positional[0].as_string(), item, rest, at));
    out.push_back(std::move(v));
  }
  return interp.MakeList(std::move(out));
}

// select/reject(test, args…) and selectattr/rejectattr(attribute, test, args…);
// without a test, the truthiness of the item or attribute.
StatusOr<Value> SelectFilter(Interpreter& interp, const std::string& name, const std::vector<Value>& items,
                             const CallArgs& args, const Expr& at) {
  bool by_attribute = name == "selectattr" || name == "rejectattr";
  bool keep_when = name == "select" || name == "selectattr";
  size_t test_index = by_attribute ? 1 : 0;
  if (by_attribute && (args.positional.empty() || !args.positional[0].is_string())) {
    return interp.Error(at, name + ": expected an attribute name");
  }
  std::optional<std::string> test_name;
  if (args.positional.size() > test_index) {
    if (!args.positional[test_index].is_string()) return interp.Error(at, name + ": test name must be a string");
    test_name = args.positional[test_index].as_string();
  }
  CallArgs test_args;
  if (args.positional.size() > test_index + 1) {
    test_args.positional.assign(args.positional.begin() + static_cast<long>(test_index) + 1, args.positional.end());
  }
  std::vector<Value> out;
  for (const Value& item : items) {
    Value subject = item;
    if (by_attribute) {
      FAB_ASSIGN_OR_RETURN(subject, GetAttributePath(interp, item, args.positional[0].as_string(), at));
    }
    bool passed = subject.Truthy();
    if (test_name) {
      FAB_ASSIGN_OR_RETURN(passed, interp.ApplyTest(*test_name, subject, test_args, at));
    }
    if (passed == keep_when) out.push_back(item);
  }
  return interp.MakeList(std::move(out));
}

// batch(linecount, fill_with): lists of linecount items.
StatusOr<Value> BatchFilter(Interpreter& interp, const std::vector<Value>& items, const CallArgs& args, const Expr& at) {
  const Value* size = args.Get(0, "linecount");
  if (size == nullptr || !size->is_integral() || size->as_int() <= 0) return interp.Error(at, "batch: linecount must be positive");
  const Value* fill = args.Get(1, "fill_with");
  std::vector<Value> out, current;
  for (const Value& item : items) {
    current.push_back(item);
    if (static_cast<int64_t>(current.size()) == size->as_int()) {
      FAB_ASSIGN_OR_RETURN(Value batch, interp.MakeList(std::move(current)));
      out.push_back(std::move(batch));
      current.clear();
    }
  }
  if (!current.empty()) {
    while (fill != nullptr && !fill->is_none() && static_cast<int64_t>(current.size()) < size->as_int()) {
      current.push_back(*fill);
    }
    FAB_ASSIGN_OR_RETURN(Value batch, interp.MakeList(std::move(current)));
    out.push_back(std::move(batch));
  }
  return interp.MakeList(std::move(out));
}

// sort/unique/min/max/sum, keyed by attribute= and case_sensitive= like jinja2.
StatusOr<Value> KeyedFilter(Interpreter& interp, const std::string& name, std::vector<Value> items,
                            const CallArgs& args, const Expr& at) {
  // sort(reverse, case_sensitive, attribute) also takes them by position.
  bool is_sort = name == "sort";
  const Value* attribute = is_sort ? args.Get(2, "attribute") : args.Keyword("attribute");
  const Value* case_flag = is_sort ? args.Get(1, "case_sensitive") : args.Keyword("case_sensitive");
  bool case_sensitive = case_flag != nullptr && case_flag->Truthy();
  std::vector<Value> keys;
  for (const Value& item : items) {
    Value key = item;
    if (attribute != nullptr && attribute->is_string()) {
      FAB_ASSIGN_OR_RETURN(key, GetAttributePath(interp, item, attribute->as_string(), at));
    }
    keys.push_back(SortKey(key, case_sensitive));
  }
  if (name == "sort") {
    const Value* reverse = args.Get(0, "reverse");
    FAB_ASSIGN_OR_RETURN(std::vector<Value> sorted,
                         SortValues(interp, std::move(items), std::move(keys), reverse && reverse->Truthy(), at));
    return interp.MakeList(std::move(sorted));
  }
  if (name == "unique") {  // like jinja2: a set of seen keys, so unhashable keys are an error
    std::vector<Value> out;
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < items.size(); ++i) {
      std::optional<std::string> hash = HashKey(keys[i]);
      if (!hash) return interp.Error(at, std::string("unique: unhashable type: '") + keys[i].TypeName() + "'");
      if (seen.insert(std::move(*hash)).second) out.push_back(items[i]);
    }
    return interp.MakeList(std::move(out));
  }
  if (name == "min" || name == "max") {
    if (items.empty()) return Value::MakeUndefined("No aggregated item, sequence was empty.");
    size_t best = 0;
    for (size_t i = 1; i < items.size(); ++i) {
      FAB_ASSIGN_OR_RETURN(std::optional<bool> less,
                           name == "min" ? interp.Less(keys[i], keys[best]) : interp.Less(keys[best], keys[i]));
      if (!less) return interp.Error(at, name + ": values are not comparable");
      if (*less) best = i;
    }
    return items[best];
  }
  if (name == "sum") {
    Value total = Value::Int(0);
    if (const Value* start = args.Get(1, "start")) total = *start;
    for (const Value& key : keys) {
      FAB_ASSIGN_OR_RETURN(total, ApplyBinaryOperator(interp, "+", total, key, at));
    }
    return total;
  }
  return interp.Error(at, "no filter named '" + name + "'");
}

}  // namespace

StatusOr<Value> Interpreter::ApplySequenceFilter(const std::string& name, const Value& input, const CallArgs& args,
                                                 const Expr& at) {
  if (name == "first" || name == "last") {
    if (name == "last" && !(input.is_list() || input.is_string() || input.is_undefined())) {
      return Error(at, std::string("last: '") + input.TypeName() + "' object is not reversible");
    }
    FAB_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input, at));
    if (items.empty()) return Value::MakeUndefined(name == "first" ? "No first item, sequence was empty."
                                                                   : "No last item, sequence was empty.");
    return name == "first" ? items.front() : items.back();
  }
  if (name == "reverse") {
    if (input.is_string()) {
      std::u32string chars = DecodeUtf8(input.as_string());
      std::reverse(chars.begin(), chars.end());
      return MakeString(EncodeUtf8(chars));
    }
    FAB_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input, at));
    std::reverse(items.begin(), items.end());
    return MakeList(std::move(items));
  }
  FAB_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input, at));
  FAB_RETURN_IF_ERROR(Charge(static_cast<int64_t>(items.size())));
  if (name == "list") return MakeList(std::move(items));
  if (name == "join") return JoinFilter(*this, items, args, at);
  if (name == "map") return MapFilter(*this, items, args, at);
  if (name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr") {
    return SelectFilter(*this, name, items, args, at);
  }
  if (name == "sort" || name == "unique" || name == "min" || name == "max" || name == "sum") {
    return KeyedFilter(*this, name, std::move(items), args, at);
  }
  if (name == "batch") return BatchFilter(*this, items, args, at);
  if (!IsJinjaFilterName(name)) return Error(at, "No filter named '" + name + "'.");
  return UnimplementedError("template line " + std::to_string(at.line) + ":" + std::to_string(at.column) +
                            ": the '" + name + "' filter is not supported");
}

}  // namespace fab::jinja
