// jinja2's tests (`x is defined`, `x is divisibleby 3`, …) with Python's
// type rules (bool is a number and an int subclass; Undefined is iterable).
#include "tokenizer/jinja/interpreter.h"
#include "tokenizer/jinja/python_string.h"

namespace fab::jinja {

StatusOr<bool> Interpreter::ApplyTest(const std::string& name, const Value& input, const CallArgs& args,
                                      const Expr& at) {
  FAB_RETURN_IF_ERROR(Charge(1));
  const Value* arg = args.Get(0, "other");
  auto need_arg = [&]() -> Status {
    if (arg == nullptr) return Error(at, "test '" + name + "' needs an argument");
    return OkStatus();
  };
  if (name == "defined") return !input.is_undefined();
  if (name == "undefined") return input.is_undefined();
  if (name == "none") return input.is_none();
  if (name == "boolean") return input.is_bool();
  if (name == "true") return input.is_bool() && input.as_bool();
  if (name == "false") return input.is_bool() && !input.as_bool();
  if (name == "integer") return input.is_int();
  if (name == "float") return input.is_float();
  if (name == "number") return input.is_number();
  if (name == "string") return input.is_string();
  if (name == "mapping") return input.is_dict();
  if (name == "iterable") return input.is_undefined() || input.is_string() || input.is_list() || input.is_dict() || input.is_loop();
  if (name == "sequence") return input.is_undefined() || input.is_string() || input.is_list() || input.is_dict();
  if (name == "callable") return input.is_callable();
  if (name == "escaped") return false;
  if (name == "lower" || name == "upper") {
    FAB_ASSIGN_OR_RETURN(std::string text, Str(input));
    return IsAllCase(text, name == "upper");
  }
  if (name == "even" || name == "odd" || name == "divisibleby") {
    if (input.is_undefined()) return UndefinedError(input, at);
    Value divisor = Value::Int(2);
    if (name == "divisibleby") {
      FAB_RETURN_IF_ERROR(need_arg());
      divisor = args.positional.empty() ? *args.Get(0, "num") : args.positional[0];
    }
    FAB_ASSIGN_OR_RETURN(Value remainder, ApplyBinaryOperator(*this, "%", input, divisor, at));
    bool zero = !remainder.Truthy();
    return name == "odd" ? !zero : zero;
  }
  if (name == "eq" || name == "equalto" || name == "==" || name == "sameas") {
    FAB_RETURN_IF_ERROR(need_arg());
    if (name == "sameas") {
      bool singleton = input.is_none() || input.is_bool() || input.is_undefined();
      return singleton && input.kind() == arg->kind() && ValuesEqual(input, *arg);
    }
    return Equal(input, *arg);
  }
  if (name == "ne" || name == "!=") {
    FAB_RETURN_IF_ERROR(need_arg());
    FAB_ASSIGN_OR_RETURN(bool equal, Equal(input, *arg));
    return !equal;
  }
  const char* op = name == "lt" || name == "lessthan" || name == "<"      ? "<"
                   : name == "le" || name == "<="                         ? "<="
                   : name == "gt" || name == "greaterthan" || name == ">" ? ">"
                   : name == "ge" || name == ">="                         ? ">="
                   : name == "in"                                         ? "in"
                                                                          : nullptr;
  if (op != nullptr) {
    FAB_RETURN_IF_ERROR(need_arg());
    FAB_ASSIGN_OR_RETURN(Value result, ApplyBinaryOperator(*this, op, input, *arg, at));
    return result.Truthy();
  }
  if (name != "filter" && name != "test") return Error(at, "No test named '" + name + "'.");
  return UnimplementedError("template line " + std::to_string(at.line) + ":" + std::to_string(at.column) +
                            ": the '" + name + "' test is not supported");
}

}  // namespace fab::jinja
