// Expression evaluation: names, literals, attribute/item access, slicing,
// calls, boolean logic and conditionals (operators live in operators.cc).
#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/python_string.h"

namespace fab::jinja {
namespace {

bool IsStringMethod(const std::string& name) {
  static const char* const kNames[] = {"strip", "lstrip", "rstrip", "split", "rsplit", "startswith", "endswith",
                                       "upper", "lower", "title", "capitalize", "replace", "find", "rfind",
                                       "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "isupper",
                                       "islower", "splitlines", "format", "index"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

bool IsDictMethod(const std::string& name) {
  return name == "items" || name == "keys" || name == "values" || name == "get" || name == "copy" ||
         name == "update" || name == "pop" || name == "setdefault" || name == "clear";
}

bool IsListMethod(const std::string& name) {
  return name == "index" || name == "count" || name == "append" || name == "extend" || name == "pop" ||
         name == "insert" || name == "remove" || name == "sort" || name == "reverse" || name == "clear" ||
         name == "copy";
}

// Python index normalization; nullopt when out of range.
std::optional<size_t> NormalizeIndex(int64_t index, size_t size) {
  int64_t n = static_cast<int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return std::nullopt;
  return static_cast<size_t>(index);
}

}  // namespace

Value MakeBoundMethod(const Value& receiver, const std::string& name) {
  CallableData c;
  c.kind = CallableData::Kind::kMethod;
  c.name = name;
  c.receiver = std::make_shared<const Value>(receiver);
  return Value::Callable(std::move(c));
}

StatusOr<Value> Interpreter::Eval(const Expr& e, const FramePtr& frame) {
  FAB_RETURN_IF_ERROR(Charge(1));
  FAB_RETURN_IF_ERROR(EnterNesting(&e));
  StatusOr<Value> result = EvalUnchecked(e, frame);
  --depth_;
  return result;
}

StatusOr<Value> Interpreter::LookupName(const Expr& e, const FramePtr& frame) {
  if (const Value* v = frame->Find(e.name)) return *v;
  auto it = globals_.find(e.name);
  if (it != globals_.end()) return it->second;
  return Value::MakeUndefined("'" + e.name + "'");
}

StatusOr<CallArgs> Interpreter::EvalArgs(const Expr& e, size_t first_arg, const FramePtr& frame) {
  CallArgs args;
  for (size_t i = first_arg; i < e.args.size(); ++i) {
    FAB_ASSIGN_OR_RETURN(Value v, Eval(*e.args[i], frame));
    args.positional.push_back(std::move(v));
  }
  for (const auto& [key, expr] : e.kwargs) {
    FAB_ASSIGN_OR_RETURN(Value v, Eval(*expr, frame));
    args.keyword.emplace_back(key, std::move(v));
  }
  return args;
}

StatusOr<Value> Interpreter::EvalUnchecked(const Expr& e, const FramePtr& frame) {
  switch (e.kind) {
    case ExprKind::kLiteral: return e.literal;
    case ExprKind::kName: return LookupName(e, frame);
    case ExprKind::kList:
    case ExprKind::kTuple: {
      std::vector<Value> items;
      for (const ExprPtr& item : e.args) {
        FAB_ASSIGN_OR_RETURN(Value v, Eval(*item, frame));
        items.push_back(std::move(v));
      }
      return MakeList(std::move(items), e.kind == ExprKind::kTuple);
    }
    case ExprKind::kDict: {
      DictData dict;
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        FAB_ASSIGN_OR_RETURN(Value key, Eval(*e.args[i], frame));
        FAB_ASSIGN_OR_RETURN(Value value, Eval(*e.args[i + 1], frame));
        if (!dict.SetKey(key, std::move(value))) {
          return Error(*e.args[i], std::string("unhashable type: '") + key.TypeName() + "'");
        }
      }
      created_bytes_ += dict.size() * sizeof(Value);
      Value result = Value::Dict(std::move(dict));
      FAB_RETURN_IF_ERROR(CheckValueDepth(result));
      return result;
    }
    case ExprKind::kGetAttr: {
      FAB_ASSIGN_OR_RETURN(Value object, Eval(*e.args[0], frame));
      return GetAttr(object, e.name, e);
    }
    case ExprKind::kGetItem: {
      FAB_ASSIGN_OR_RETURN(Value object, Eval(*e.args[0], frame));
      FAB_ASSIGN_OR_RETURN(Value key, Eval(*e.args[1], frame));
      return GetItem(object, key, e);
    }
    case ExprKind::kSlice: return EvalSlice(e, frame);
    case ExprKind::kCall: {
      FAB_ASSIGN_OR_RETURN(Value callee, Eval(*e.args[0], frame));
      FAB_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, 1, frame));
      return CallValue(callee, args, e);
    }
    case ExprKind::kFilter: {
      FAB_ASSIGN_OR_RETURN(Value input, Eval(*e.args[0], frame));
      FAB_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, 1, frame));
      return ApplyFilter(e.name, input, args, e);
    }
    case ExprKind::kTest: {
      FAB_ASSIGN_OR_RETURN(Value input, Eval(*e.args[0], frame));
      FAB_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, 1, frame));
      FAB_ASSIGN_OR_RETURN(bool passed, ApplyTest(e.name, input, args, e));
      return Value::Bool(passed != e.negated);
    }
    case ExprKind::kUnary: {
      FAB_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], frame));
      if (e.name == "not") return Value::Bool(!v.Truthy());
      if (v.is_undefined()) return UndefinedError(v, e);
      if (!v.is_number()) return Error(e, std::string("bad operand type for unary ") + e.name + ": '" + v.TypeName() + "'");
      if (e.name == "+") return v.is_bool() ? Value::Int(v.as_int()) : v;
      if (v.is_float()) return Value::Float(-v.as_double());
      if (v.as_int() == INT64_MIN) return Error(e, "integer overflow");
      return Value::Int(-v.as_int());
    }
    case ExprKind::kBinary: return EvalBinary(e, frame);
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      FAB_ASSIGN_OR_RETURN(Value left, Eval(*e.args[0], frame));
      bool short_circuit = e.kind == ExprKind::kAnd ? !left.Truthy() : left.Truthy();
      if (short_circuit) return left;
      return Eval(*e.args[1], frame);
    }
    case ExprKind::kCondition: {
      FAB_ASSIGN_OR_RETURN(Value cond, Eval(*e.args[0], frame));
      if (cond.Truthy()) return Eval(*e.args[1], frame);
      if (e.args[2]) return Eval(*e.args[2], frame);
      return Value::MakeUndefined("");
    }
  }
  return Error(e, "unknown expression");
}

StatusOr<Value> Interpreter::EvalBinary(const Expr& e, const FramePtr& frame) {
  FAB_ASSIGN_OR_RETURN(Value left, Eval(*e.args[0], frame));
  FAB_ASSIGN_OR_RETURN(Value right, Eval(*e.args[1], frame));
  return ApplyBinaryOperator(*this, e.name, left, right, e);
}

StatusOr<Value> Interpreter::EvalSlice(const Expr& e, const FramePtr& frame) {
  FAB_ASSIGN_OR_RETURN(Value object, Eval(*e.args[0], frame));
  std::optional<int64_t> parts[3];
  for (int i = 0; i < 3; ++i) {
    if (!e.args[static_cast<size_t>(i) + 1]) continue;
    FAB_ASSIGN_OR_RETURN(Value v, Eval(*e.args[static_cast<size_t>(i) + 1], frame));
    if (v.is_none()) continue;
    if (!v.is_integral()) return Error(e, "slice indices must be integers or None");
    parts[i] = v.as_int();
  }
  if (object.is_undefined()) return UndefinedError(object, e);
  bool is_string = object.is_string();
  if (!is_string && !object.is_list()) return Value::MakeUndefined("");
  int64_t step = parts[2].value_or(1);
  if (step == 0) return Error(e, "slice step cannot be zero");
  std::u32string chars;
  if (is_string) {
    FAB_RETURN_IF_ERROR(Charge(static_cast<int64_t>(object.as_string().size()) / 64));
    chars = DecodeUtf8(object.as_string());
  }
  int64_t n = is_string ? static_cast<int64_t>(chars.size()) : static_cast<int64_t>(object.as_list().items.size());
  auto clamp = [&](std::optional<int64_t> v, int64_t fallback) {
    if (!v) return fallback;
    int64_t x = *v < 0 ? *v + n : *v;
    if (step > 0) return std::clamp<int64_t>(x, 0, n);
    return std::clamp<int64_t>(x, -1, n - 1);
  };
  int64_t start = clamp(parts[0], step > 0 ? 0 : n - 1);
  int64_t stop = clamp(parts[1], step > 0 ? n : -1);
  std::vector<size_t> picks;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) picks.push_back(static_cast<size_t>(i));
  FAB_RETURN_IF_ERROR(Charge(static_cast<int64_t>(picks.size()) / 16));
  if (is_string) {
    std::u32string out;
    for (size_t i : picks) out.push_back(chars[i]);
    return MakeString(EncodeUtf8(out));
  }
  std::vector<Value> items;
  for (size_t i : picks) items.push_back(object.as_list().items[i]);
  return MakeList(std::move(items), object.as_list().is_tuple);
}

StatusOr<Value> Interpreter::GetAttr(const Value& object, const std::string& name, const Expr& at) {
  switch (object.kind()) {
    case ValueKind::kUndefined: return UndefinedError(object, at);
    case ValueKind::kString:
      if (IsStringMethod(name)) return MakeBoundMethod(object, name);
      break;
    case ValueKind::kDict:
      if (IsDictMethod(name)) return MakeBoundMethod(object, name);
      if (const Value* v = object.as_dict().Find(name)) return *v;
      break;
    case ValueKind::kList:
      if (IsListMethod(name)) return MakeBoundMethod(object, name);
      break;
    case ValueKind::kNamespace:
      if (const Value* v = object.as_namespace().Find(name)) return *v;
      break;
    case ValueKind::kLoop: return LoopAttribute(object, name, at);
    default: break;
  }
  std::string what = "'";
  what.append(object.TypeName()).append(" object' has no attribute '").append(name).append("'");
  return Value::MakeUndefined(std::move(what));
}

StatusOr<Value> Interpreter::GetItem(const Value& object, const Value& key, const Expr& at) {
  if (object.is_undefined()) return UndefinedError(object, at);
  if (object.is_dict()) {
    if (const Value* v = object.as_dict().FindKey(key)) return *v;
  } else if (object.is_namespace() && key.is_string()) {
    if (const Value* v = object.as_namespace().Find(key.as_string())) return *v;
  } else if (object.is_list() && key.is_integral()) {
    const auto& items = object.as_list().items;
    if (auto i = NormalizeIndex(key.as_int(), items.size())) return items[*i];
  } else if (object.is_string() && key.is_integral()) {
    FAB_RETURN_IF_ERROR(Charge(static_cast<int64_t>(object.as_string().size()) / 64));
    std::u32string chars = DecodeUtf8(object.as_string());
    if (auto i = NormalizeIndex(key.as_int(), chars.size())) return MakeString(EncodeUtf8(chars.substr(*i, 1)));
  }
  if (key.is_string()) return GetAttr(object, key.as_string(), at);
  return Value::MakeUndefined("");
}

StatusOr<std::vector<Value>> Interpreter::Iterate(const Value& value, const Expr& at) {
  std::vector<Value> items;
  switch (value.kind()) {
    case ValueKind::kUndefined: return items;
    case ValueKind::kList: items = value.as_list().items; break;
    case ValueKind::kDict:
      for (const auto& entry : value.as_dict().entries()) items.push_back(entry.first);
      break;
    case ValueKind::kString:
      for (char32_t c : DecodeUtf8(value.as_string())) items.push_back(Value::String(EncodeUtf8(std::u32string(1, c))));
      break;
    default: return Error(at, std::string("'") + value.TypeName() + "' object is not iterable");
  }
  FAB_RETURN_IF_ERROR(Charge(static_cast<int64_t>(items.size()) / 16));
  return items;
}

StatusOr<Value> Interpreter::CallValue(const Value& callee, const CallArgs& args, const Expr& at) {
  if (callee.is_undefined()) return UndefinedError(callee, at);
  if (!callee.is_callable()) return Error(at, std::string("'") + callee.TypeName() + "' object is not callable");
  const CallableData& c = callee.as_callable();
  switch (c.kind) {
    case CallableData::Kind::kMacro: return CallMacro(c, args, at);
    case CallableData::Kind::kGlobal: return CallGlobal(c.name, args, at);
    case CallableData::Kind::kMethod: return CallMethod(*c.receiver, c.name, args, at);
  }
  return Error(at, "not callable");
}

}  // namespace fab::jinja
