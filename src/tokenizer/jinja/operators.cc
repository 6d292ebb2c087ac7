// Python's binary operators over template values: arithmetic with int64
// overflow checks (Python ints are unbounded; we refuse instead of wrapping),
// string/list concatenation and repetition under the size caps, `~`,
// comparisons and membership.
#include <cmath>

#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/python_string.h"
#include "tokenizer/jinja/value_format.h"

namespace fab::jinja {
namespace {

Status Unsupported(Interpreter& interp, const std::string& op, const Value& a, const Value& b, const Expr& at) {
  return interp.Error(at, "unsupported operand type(s) for " + op + ": '" + a.TypeName() + "' and '" + b.TypeName() + "'");
}

double FloorMod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

StatusOr<Value> Arithmetic(Interpreter& interp, const std::string& op, const Value& a, const Value& b,
                           const Expr& at) {
  bool use_float = a.is_float() || b.is_float();
  if (op == "/") {
    if (b.as_double() == 0) return interp.Error(at, "division by zero");
    return Value::Float(a.as_double() / b.as_double());
  }
  if (use_float) {
    double x = a.as_double(), y = b.as_double();
    if (op == "+") return Value::Float(x + y);
    if (op == "-") return Value::Float(x - y);
    if (op == "*") return Value::Float(x * y);
    if (op == "**") {
      if (x == 0 && y < 0) return interp.Error(at, "0.0 cannot be raised to a negative power");
      return Value::Float(std::pow(x, y));
    }
    if (y == 0) return interp.Error(at, "float division by zero");
    if (op == "//") return Value::Float(std::floor(x / y));
    return Value::Float(FloorMod(x, y));
  }
  int64_t x = a.as_int(), y = b.as_int(), r = 0;
  bool overflow = false;
  if (op == "+") overflow = __builtin_add_overflow(x, y, &r);
  else if (op == "-") overflow = __builtin_sub_overflow(x, y, &r);
  else if (op == "*") overflow = __builtin_mul_overflow(x, y, &r);
  else if (op == "**") {
    if (y < 0) {
      if (x == 0) return interp.Error(at, "0.0 cannot be raised to a negative power");
      return Value::Float(std::pow(static_cast<double>(x), static_cast<double>(y)));
    }
    r = 1;
    int64_t base = x;
    for (int64_t e = y; e > 0 && !overflow; e >>= 1) {
      if (e & 1) overflow = __builtin_mul_overflow(r, base, &r);
      if (e > 1 && !overflow) overflow = __builtin_mul_overflow(base, base, &base);
    }
    if (overflow && (x == 0 || x == 1)) overflow = false, r = x;
    if (overflow && x == -1) overflow = false, r = (y % 2 == 0) ? 1 : -1;
  } else {
    if (y == 0) return interp.Error(at, "integer division or modulo by zero");
    if (x == INT64_MIN && y == -1) return interp.Error(at, "integer overflow");
    int64_t q = x / y, m = x % y;
    if (m != 0 && ((m < 0) != (y < 0))) {
      q -= 1;
      m += y;
    }
    r = op == "//" ? q : m;
  }
  if (overflow) return interp.Error(at, "integer overflow (values beyond 64 bits are not supported)");
  return Value::Int(r);
}

StatusOr<Value> Repeat(Interpreter& interp, const Value& seq, int64_t times, const Expr& at) {
  if (times < 0) times = 0;
  size_t unit = seq.is_string() ? seq.as_string().size() : seq.as_list().items.size();
  if (unit != 0 && static_cast<uint64_t>(times) > (seq.is_string() ? interp.limits().max_output_bytes
                                                                   : interp.limits().max_list_items) / unit) {
    return ResourceExhaustedError("template line " + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                  ": repetition result exceeds the size limit");
  }
  FAB_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(unit) * times / 64));
  if (seq.is_string()) {
    std::string out;
    out.reserve(unit * static_cast<size_t>(times));
    for (int64_t i = 0; i < times; ++i) out += seq.as_string();
    return interp.MakeString(std::move(out));
  }
  std::vector<Value> items;
  for (int64_t i = 0; i < times; ++i) items.insert(items.end(), seq.as_list().items.begin(), seq.as_list().items.end());
  return interp.MakeList(std::move(items), seq.as_list().is_tuple);
}

StatusOr<bool> Contains(Interpreter& interp, const Value& container, const Value& item, const Expr& at) {
  switch (container.kind()) {
    case ValueKind::kUndefined: return false;
    case ValueKind::kString:
      FAB_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(container.as_string().size()) / 64));
      if (!item.is_string()) {
        return interp.Error(at, std::string("'in <string>' requires string as left operand, not ") + item.TypeName());
      }
      return container.as_string().find(item.as_string()) != std::string::npos;
    case ValueKind::kList:
      FAB_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(container.as_list().items.size()) / 16));
      for (const Value& v : container.as_list().items) {
        FAB_ASSIGN_OR_RETURN(bool equal, interp.Equal(v, item));
        if (equal) return true;
      }
      return false;
    case ValueKind::kDict:
      if (item.is_list() && !item.as_list().is_tuple) return interp.Error(at, "unhashable type: 'list'");
      if (item.is_dict()) return interp.Error(at, "unhashable type: 'dict'");
      return container.as_dict().FindKey(item) != nullptr;
    default:
      return interp.Error(at, std::string("argument of type '") + container.TypeName() + "' is not iterable");
  }
}

// Python's printf-style `format % args` for %s, %r, %d, %i and %%.
StatusOr<Value> PercentFormat(Interpreter& interp, const std::string& format, const Value& args, const Expr& at) {
  std::vector<Value> items;
  if (args.is_list() && args.as_list().is_tuple) {
    items = args.as_list().items;
  } else {
    items.push_back(args);
  }
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out.push_back(format[i]);
      continue;
    }
    if (i + 1 >= format.size()) return interp.Error(at, "incomplete format");
    char spec = format[++i];
    if (spec == '%') {
      out.push_back('%');
      continue;
    }
    if (spec != 's' && spec != 'r' && spec != 'd' && spec != 'i') {
      return UnimplementedError("template line " + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                ": only %s, %r, %d and %i are supported in % formatting");
    }
    if (next >= items.size()) return interp.Error(at, "not enough arguments for format string");
    const Value& item = items[next++];
    if (spec == 's') {
      FAB_ASSIGN_OR_RETURN(std::string text, interp.Str(item));
      out += text;
    } else if (spec == 'r') {
      FAB_ASSIGN_OR_RETURN(std::string text, PythonRepr(item, interp.limits().max_output_bytes));
      out += text;
    } else {
      if (!item.is_number()) return interp.Error(at, std::string("%d format: a real number is required, not ") + item.TypeName());
      double d = item.as_double();
      if (item.is_float() && !(d > -9.2e18 && d < 9.2e18)) return interp.Error(at, "%d format: number out of range");
      out += std::to_string(item.is_float() ? static_cast<int64_t>(d) : item.as_int());
    }
    if (out.size() > interp.limits().max_output_bytes) return ResourceExhaustedError("% formatting exceeds the size limit");
  }
  if (next < items.size()) return interp.Error(at, "not all arguments converted during string formatting");
  return interp.MakeString(std::move(out));
}

}  // namespace

StatusOr<Value> ApplyBinaryOperator(Interpreter& interp, const std::string& op, const Value& a, const Value& b,
                                    const Expr& at) {
  if (op == "==" || op == "!=") {
    FAB_ASSIGN_OR_RETURN(bool equal, interp.Equal(a, b));
    return Value::Bool(equal == (op == "=="));
  }
  if (op == "in" || op == "not in") {
    FAB_ASSIGN_OR_RETURN(bool found, Contains(interp, b, a, at));
    return Value::Bool(found == (op == "in"));
  }
  if (op == "~") {
    FAB_ASSIGN_OR_RETURN(std::string left, interp.Str(a));
    FAB_ASSIGN_OR_RETURN(std::string right, interp.Str(b));
    return interp.MakeString(left + right);
  }
  if (a.is_undefined()) return interp.UndefinedError(a, at);
  if (b.is_undefined()) return interp.UndefinedError(b, at);
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    FAB_ASSIGN_OR_RETURN(std::optional<bool> less, op[0] == '<' ? interp.Less(a, b) : interp.Less(b, a));
    if (!less) {
      return interp.Error(at, "'" + op + "' not supported between instances of '" + a.TypeName() + "' and '" +
                                  b.TypeName() + "'");
    }
    if (op.size() == 2 && !*less) {
      FAB_ASSIGN_OR_RETURN(bool equal, interp.Equal(a, b));
      return Value::Bool(equal);
    }
    return Value::Bool(*less);
  }
  if (a.is_number() && b.is_number()) return Arithmetic(interp, op, a, b, at);
  if (op == "%" && a.is_string()) return PercentFormat(interp, a.as_string(), b, at);
  if (op == "+" && a.is_string() && b.is_string()) {
    if (a.as_string().size() + b.as_string().size() > interp.limits().max_output_bytes) {
      return ResourceExhaustedError("template line " + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                    ": string concatenation exceeds the size limit");
    }
    return interp.MakeString(a.as_string() + b.as_string());
  }
  if (op == "+" && a.is_list() && b.is_list() && a.as_list().is_tuple == b.as_list().is_tuple) {
    std::vector<Value> items = a.as_list().items;
    items.insert(items.end(), b.as_list().items.begin(), b.as_list().items.end());
    return interp.MakeList(std::move(items), a.as_list().is_tuple);
  }
  if (op == "*" && (a.is_string() || a.is_list()) && b.is_integral()) return Repeat(interp, a, b.as_int(), at);
  if (op == "*" && (b.is_string() || b.is_list()) && a.is_integral()) return Repeat(interp, b, a.as_int(), at);
  return Unsupported(interp, op, a, b, at);
}

}  // namespace fab::jinja
