// Global functions (range, namespace, dict, raise_exception, strftime_now),
// the str/dict/list methods templates call, and the attributes of `loop`.
#include <ctime>

#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/python_string.h"
#include "tokenizer/jinja/value_format.h"

namespace fab::jinja {
namespace {

StatusOr<std::optional<std::string>> OptionalStringArg(Interpreter& interp, const CallArgs& args, size_t index,
                                                       const std::string& name, const Expr& at) {
  const Value* v = args.Get(index, name);
  if (v == nullptr || v->is_none()) return std::optional<std::string>();
  if (!v->is_string()) return interp.Error(at, name + " must be a string or None, not " + v->TypeName());
  return std::optional<std::string>(v->as_string());
}

StatusOr<std::string> StringArg(Interpreter& interp, const CallArgs& args, size_t index, const std::string& name,
                                const Expr& at) {
  const Value* v = args.Get(index, name);
  if (v == nullptr) return interp.Error(at, "missing argument '" + name + "'");
  if (!v->is_string()) return interp.Error(at, std::string("argument '") + name + "' must be str, not " + v->TypeName());
  return v->as_string();
}

StatusOr<int64_t> IntArg(Interpreter& interp, const CallArgs& args, size_t index, const std::string& name,
                         int64_t fallback, const Expr& at) {
  const Value* v = args.Get(index, name);
  if (v == nullptr) return fallback;
  if (!v->is_integral()) return interp.Error(at, std::string("argument '") + name + "' must be int, not " + v->TypeName());
  return v->as_int();
}

StatusOr<Value> Range(Interpreter& interp, const CallArgs& args, const Expr& at) {
  int64_t start = 0, stop = 0, step = 1;
  for (const Value& v : args.positional) {
    if (!v.is_integral()) return interp.Error(at, std::string("range() expects integers, not ") + v.TypeName());
  }
  if (args.positional.size() == 1) {
    stop = args.positional[0].as_int();
  } else if (args.positional.size() == 2 || args.positional.size() == 3) {
    start = args.positional[0].as_int();
    stop = args.positional[1].as_int();
    if (args.positional.size() == 3) step = args.positional[2].as_int();
  } else {
    return interp.Error(at, "range expected 1 to 3 integer arguments");
  }
  if (step == 0) return interp.Error(at, "range() arg 3 must not be zero");
  __int128 span = step > 0 ? static_cast<__int128>(stop) - start : static_cast<__int128>(start) - stop;
  __int128 abs_step = step > 0 ? step : -static_cast<__int128>(step);
  __int128 count = span <= 0 ? 0 : (span + abs_step - 1) / abs_step;
  if (count > interp.limits().max_range) {
    return ResourceExhaustedError("template line " + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                  ": range too big: " + std::to_string(static_cast<int64_t>(count)) +
                                  " items, the limit is " + std::to_string(interp.limits().max_range));
  }
  FAB_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(count) / 16));
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) items.push_back(Value::Int(start + i * step));
  return interp.MakeList(std::move(items));
}

StatusOr<Value> MakeDictFromArgs(Interpreter& interp, const CallArgs& args, const Expr& at, bool as_namespace) {
  DictData dict;
  if (!args.positional.empty()) {
    const Value& init = args.positional[0];
    if (args.positional.size() > 1 || !(init.is_dict() || init.is_namespace())) {
      return interp.Error(at, "expected a single mapping argument");
    }
    const DictData& source = init.is_dict() ? init.as_dict() : init.as_namespace();
    for (const auto& [k, v] : source.entries()) dict.SetKey(k, v);
  }
  for (const auto& [k, v] : args.keyword) dict.Set(k, v);
  if (as_namespace) return interp.MakeNamespace(std::move(dict));
  Value result = Value::Dict(std::move(dict));
  FAB_RETURN_IF_ERROR(interp.CheckValueDepth(result));
  return result;
}

StatusOr<Value> StrftimeNow(Interpreter& interp, const RenderOptions& options, const CallArgs& args, const Expr& at) {
  FAB_ASSIGN_OR_RETURN(std::string format, StringArg(interp, args, 0, "format", at));
  std::tm now{};
  if (options.now) {
    now = options.now();
  } else {
    std::time_t t = std::time(nullptr);
    localtime_r(&t, &now);
  }
  if (format.size() > 256) return interp.Error(at, "strftime format longer than 256 bytes");
  char buf[4096];
  size_t n = std::strftime(buf, sizeof buf, format.c_str(), &now);
  if (n == 0 && !format.empty()) return interp.Error(at, "strftime result is empty or too long");
  return interp.MakeString(std::string(buf, n));
}

StatusOr<Value> Strings(Interpreter& interp, const std::vector<std::string>& parts) {
  std::vector<Value> items;
  for (const std::string& p : parts) {
    FAB_ASSIGN_OR_RETURN(Value v, interp.MakeString(p));
    items.push_back(std::move(v));
  }
  return interp.MakeList(std::move(items));
}

StatusOr<Value> Affix(Interpreter& interp, const std::string& text, const Value* arg, bool prefix, const Expr& at) {
  if (arg == nullptr) return interp.Error(at, "startswith/endswith takes one argument");
  std::vector<std::string> candidates;
  if (arg->is_string()) {
    candidates.push_back(arg->as_string());
  } else if (arg->is_list() && arg->as_list().is_tuple) {
    for (const Value& v : arg->as_list().items) {
      if (!v.is_string()) return interp.Error(at, "tuple for startswith/endswith must only contain str");
      candidates.push_back(v.as_string());
    }
  } else {
    return interp.Error(at, std::string("startswith/endswith first arg must be str or a tuple of str, not ") + arg->TypeName());
  }
  for (const std::string& c : candidates) {
    bool hit = c.size() <= text.size() &&
               (prefix ? text.compare(0, c.size(), c) == 0 : text.compare(text.size() - c.size(), c.size(), c) == 0);
    if (hit) return Value::Bool(true);
  }
  return Value::Bool(false);
}

}  // namespace

StatusOr<Value> Interpreter::CallGlobal(const std::string& name, const CallArgs& args, const Expr& at) {
  if (name == "range") return Range(*this, args, at);
  if (name == "namespace") return MakeDictFromArgs(*this, args, at, true);
  if (name == "dict") return MakeDictFromArgs(*this, args, at, false);
  if (name == "strftime_now") return StrftimeNow(*this, options_, args, at);
  if (name == "raise_exception") {
    const Value* message = args.Get(0, "message");
    std::string text;
    if (message != nullptr) {
      FAB_ASSIGN_OR_RETURN(text, Str(*message));
    }
    return InvalidArgumentError(text);
  }
  return Error(at, "unknown function '" + name + "'");
}

StatusOr<Value> CallStringMethod(Interpreter& interp, const std::string& text, const std::string& name,
                                 const CallArgs& args, const Expr& at) {
  FAB_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(text.size()) / 64));
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    FAB_ASSIGN_OR_RETURN(auto chars, OptionalStringArg(interp, args, 0, "chars", at));
    return interp.MakeString(PythonStrip(text, chars, name != "rstrip", name != "lstrip"));
  }
  if (name == "split" || name == "rsplit") {
    FAB_ASSIGN_OR_RETURN(auto sep, OptionalStringArg(interp, args, 0, "sep", at));
    FAB_ASSIGN_OR_RETURN(int64_t maxsplit, IntArg(interp, args, 1, "maxsplit", -1, at));
    auto parts = name == "rsplit" ? PythonRSplit(text, sep, maxsplit) : PythonSplit(text, sep, maxsplit);
    if (!parts) return interp.Error(at, "empty separator");
    return Strings(interp, *parts);
  }
  if (name == "startswith" || name == "endswith") return Affix(interp, text, args.Get(0, "prefix"), name == "startswith", at);
  if (name == "upper") return interp.MakeString(PythonUpper(text));
  if (name == "lower") return interp.MakeString(PythonLower(text));
  if (name == "title") return interp.MakeString(PythonTitle(text));
  if (name == "capitalize") return interp.MakeString(PythonCapitalize(text));
  if (name == "replace") {
    FAB_ASSIGN_OR_RETURN(std::string from, StringArg(interp, args, 0, "old", at));
    FAB_ASSIGN_OR_RETURN(std::string to, StringArg(interp, args, 1, "new", at));
    FAB_ASSIGN_OR_RETURN(int64_t count, IntArg(interp, args, 2, "count", -1, at));
    auto out = PythonReplace(text, from, to, count, interp.limits().max_output_bytes);
    if (!out) return ResourceExhaustedError("replace() result exceeds the size limit");
    return interp.MakeString(std::move(*out));
  }
  if (name == "find" || name == "rfind" || name == "index" || name == "count") {
    FAB_ASSIGN_OR_RETURN(std::string needle, StringArg(interp, args, 0, "sub", at));
    if (args.positional.size() > 1) return interp.Error(at, name + "() with start/end is not supported");
    if (name == "count") return Value::Int(PythonCount(text, needle));
    int64_t found = PythonFind(text, needle, name == "rfind");
    if (name == "index" && found < 0) return interp.Error(at, "substring not found");
    return Value::Int(found);
  }
  if (name == "join") {
    if (args.positional.size() != 1) return interp.Error(at, "join() takes exactly one argument");
    FAB_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(args.positional[0], at));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) return interp.Error(at, "sequence item " + std::to_string(i) + ": expected str instance");
      if (i > 0) out += text;
      out += items[i].as_string();
      if (out.size() > interp.limits().max_output_bytes) return ResourceExhaustedError("join() result exceeds the size limit");
    }
    return interp.MakeString(std::move(out));
  }
  if (name == "splitlines") return Strings(interp, PythonSplitLines(text));
  if (name == "isupper" || name == "islower") return Value::Bool(IsAllCase(text, name == "isupper"));
  if (name == "isdigit" || name == "isalpha" || name == "isalnum" || name == "isspace") {
    std::u32string chars = DecodeUtf8(text);
    bool all = !chars.empty();
    for (char32_t c : chars) {
      bool ascii_digit = c >= '0' && c <= '9';
      bool ascii_alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      bool ok = name == "isdigit" ? ascii_digit
                : name == "isalpha" ? ascii_alpha || c >= 0x80
                : name == "isalnum" ? ascii_digit || ascii_alpha || c >= 0x80
                                    : IsPythonSpace(c);
      all = all && ok;
    }
    return Value::Bool(all);
  }
  return interp.Error(at, "str." + name + "() is not supported");
}

StatusOr<Value> Interpreter::CallMethod(const Value& receiver, const std::string& name, const CallArgs& args,
                                        const Expr& at) {
  if (receiver.is_string()) return CallStringMethod(*this, receiver.as_string(), name, args, at);
  if (receiver.is_dict()) {
    const DictData& dict = receiver.as_dict();
    FAB_RETURN_IF_ERROR(Charge(static_cast<int64_t>(dict.size()) / 16));
    if (name == "get") {
      const Value* key = args.Get(0, "key");
      if (key == nullptr) return Error(at, "get expected at least 1 argument");
      const Value* fallback = args.Get(1, "default");
      const Value* found = dict.FindKey(*key);
      if (found != nullptr) return *found;
      return fallback != nullptr ? *fallback : Value::None();
    }
    if (name == "items" || name == "keys" || name == "values") {
      std::vector<Value> items;
      for (const auto& [k, v] : dict.entries()) {
        if (name == "items") {
          items.push_back(Value::List({k, v}, true));
        } else {
          items.push_back(name == "keys" ? k : v);
        }
      }
      return MakeList(std::move(items));
    }
    if (name == "copy") return receiver;
  }
  if (receiver.is_loop() && name == "cycle") {
    if (args.positional.empty()) return Error(at, "no items for cycling given");
    const LoopState& state = receiver.as_loop();
    return args.positional[static_cast<size_t>(state.index0) % args.positional.size()];
  }
  if (receiver.is_list()) {
    const auto& items = receiver.as_list().items;
    FAB_RETURN_IF_ERROR(Charge(static_cast<int64_t>(items.size()) / 16));
    if (name == "index" || name == "count") {
      const Value* needle = args.Get(0, "value");
      if (needle == nullptr) return Error(at, name + "() takes exactly one argument");
      int64_t count = 0;
      for (size_t i = 0; i < items.size(); ++i) {
        FAB_ASSIGN_OR_RETURN(bool equal, Equal(items[i], *needle));
        if (!equal) continue;
        if (name == "index") return Value::Int(static_cast<int64_t>(i));
        ++count;
      }
      if (name == "index") return Error(at, "value is not in list");
      return Value::Int(count);
    }
    if (name == "copy") return receiver;
  }
  return Error(at, std::string(receiver.TypeName()) + "." + name +
                       "() is not allowed: the template sandbox is immutable");
}

StatusOr<Value> Interpreter::LoopAttribute(const Value& loop, const std::string& name, const Expr& at) {
  const LoopState& state = loop.as_loop();
  int64_t length = static_cast<int64_t>(state.items->items.size());
  int64_t i = state.index0;
  if (name == "index0") return Value::Int(i);
  if (name == "index") return Value::Int(i + 1);
  if (name == "revindex") return Value::Int(length - i);
  if (name == "revindex0") return Value::Int(length - i - 1);
  if (name == "first") return Value::Bool(i == 0);
  if (name == "last") return Value::Bool(i == length - 1);
  if (name == "length") return Value::Int(length);
  if (name == "depth") return Value::Int(1);
  if (name == "depth0") return Value::Int(0);
  if (name == "previtem") {
    return i > 0 ? state.items->items[static_cast<size_t>(i - 1)] : Value::MakeUndefined("there is no previous item");
  }
  if (name == "nextitem") {
    return i + 1 < length ? state.items->items[static_cast<size_t>(i + 1)] : Value::MakeUndefined("there is no next item");
  }
  if (name == "cycle") return MakeBoundMethod(loop, "cycle");
  (void)at;
  return Value::MakeUndefined("'LoopContext object' has no attribute '" + name + "'");
}

}  // namespace fab::jinja
