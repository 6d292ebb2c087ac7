#include "tokenizer/jinja/interpreter.h"

#include "tokenizer/jinja/value_format.h"

namespace fab::jinja {
namespace {

// The deepest C++ recursion a render may reach (expressions, statements and
// macro calls together); keeps the native stack small even under sanitizers.
constexpr int kMaxEvaluationDepth = 1500;

}  // namespace

const Value* Frame::Find(const std::string& name) const {
  for (const Frame* f = this; f != nullptr; f = f->parent.get()) {
    auto it = f->vars.find(name);
    if (it != f->vars.end()) return &it->second;
  }
  return nullptr;
}

const Value* CallArgs::Keyword(const std::string& name) const {
  for (const auto& [key, value] : keyword) {
    if (key == name) return &value;
  }
  return nullptr;
}

const Value* CallArgs::Get(size_t index, const std::string& name) const {
  if (index < positional.size()) return &positional[index];
  return Keyword(name);
}

Interpreter::Interpreter(const TemplateLimits& limits, const RenderOptions& options)
    : limits_(limits), options_(options) {
  for (const char* name : {"range", "namespace", "dict", "raise_exception", "strftime_now"}) {
    CallableData global;
    global.kind = CallableData::Kind::kGlobal;
    global.name = name;
    globals_.emplace(name, Value::Callable(std::move(global)));
  }
}

Status Interpreter::Charge(int64_t n) {
  int64_t before = steps_;
  steps_ += n;
  if (steps_ > limits_.max_steps) {
    return ResourceExhaustedError("template exceeded its step budget of " + std::to_string(limits_.max_steps));
  }
  if (limits_.max_render_milliseconds > 0 && (before >> 12) != (steps_ >> 12)) {
    auto elapsed = std::chrono::steady_clock::now() - start_;
    if (elapsed > std::chrono::milliseconds(limits_.max_render_milliseconds)) {
      return ResourceExhaustedError("template render took longer than " +
                                    std::to_string(limits_.max_render_milliseconds) + " ms");
    }
  }
  return OkStatus();
}

StatusOr<bool> Interpreter::Equal(const Value& a, const Value& b) {
  int64_t work = 0;
  bool equal = ValuesEqual(a, b, &work);
  FAB_RETURN_IF_ERROR(Charge(work / 8));
  return equal;
}

StatusOr<std::optional<bool>> Interpreter::Less(const Value& a, const Value& b) {
  int64_t work = 0;
  std::optional<bool> less = ValueLess(a, b, &work);
  FAB_RETURN_IF_ERROR(Charge(work / 8));
  return less;
}

StatusOr<Value> Interpreter::MakeString(std::string text) {
  if (text.size() > limits_.max_output_bytes) {
    return ResourceExhaustedError("template built a string of " + std::to_string(text.size()) +
                                  " bytes; the limit is " + std::to_string(limits_.max_output_bytes));
  }
  created_bytes_ += text.size();
  if (created_bytes_ > limits_.max_created_bytes) {
    return ResourceExhaustedError("template built more than " + std::to_string(limits_.max_created_bytes) +
                                  " bytes of values");
  }
  return Value::String(std::move(text));
}

StatusOr<Value> Interpreter::MakeList(std::vector<Value> items, bool is_tuple) {
  if (items.size() > limits_.max_list_items) {
    return ResourceExhaustedError("template built a list of " + std::to_string(items.size()) +
                                  " items; the limit is " + std::to_string(limits_.max_list_items));
  }
  created_bytes_ += items.size() * sizeof(Value);
  if (created_bytes_ > limits_.max_created_bytes) {
    return ResourceExhaustedError("template built more than " + std::to_string(limits_.max_created_bytes) +
                                  " bytes of values");
  }
  Value list = Value::List(std::move(items), is_tuple);
  FAB_RETURN_IF_ERROR(CheckValueDepth(list));
  return list;
}

Status Interpreter::CheckValueDepth(const Value& value) const {
  if (ValueDepth(value) > kMaxValueDepth) {
    return ResourceExhaustedError("template built values nested deeper than " + std::to_string(kMaxValueDepth));
  }
  return OkStatus();
}

Value Interpreter::MakeNamespace(DictData attributes) {
  Value ns = Value::Namespace(std::move(attributes));
  namespaces_.push_back(ns);
  return ns;
}

Status Interpreter::Error(const Expr& at, const std::string& message) const {
  return InvalidArgumentError("template line " + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
                              message);
}

Status Interpreter::UndefinedError(const Value& value, const Expr& at) const {
  return Error(at, value.undefined_name().empty() ? "value is undefined" : value.undefined_name() + " is undefined");
}

StatusOr<std::string> Interpreter::Str(const Value& value) {
  FAB_ASSIGN_OR_RETURN(std::string text, PythonStr(value, limits_.max_output_bytes));
  FAB_RETURN_IF_ERROR(Charge(static_cast<int64_t>(text.size()) / 64));
  return text;
}

Status Interpreter::EnterNesting(const Expr* at) {
  if (++depth_ > kMaxEvaluationDepth) {
    std::string where = at ? "template line " + std::to_string(at->line) + ":" + std::to_string(at->column) + ": " : "";
    return ResourceExhaustedError(where + "template evaluation nested deeper than " +
                                  std::to_string(kMaxEvaluationDepth));
  }
  return OkStatus();
}

Status Interpreter::Append(std::string* out, const std::string& text) {
  if (out->size() + text.size() > limits_.max_output_bytes) {
    return ResourceExhaustedError("template output exceeded " + std::to_string(limits_.max_output_bytes) + " bytes");
  }
  out->append(text);
  return OkStatus();
}

StatusOr<std::string> Interpreter::Render(const TemplateAst& ast, const DictData& variables) {
  // Namespaces may refer to each other (even in cycles); emptying them all
  // when the render ends frees everything without deep recursion.
  struct ReleaseNamespaces {
    std::vector<Value>* namespaces;
    ~ReleaseNamespaces() {
      for (Value& ns : *namespaces) ns.as_namespace().Clear();
      namespaces->clear();
    }
  } release{&namespaces_};
  auto root = std::make_shared<Frame>();
  for (const auto& [name, value] : variables.entries()) {
    if (name.is_string()) root->vars[name.as_string()] = value;
  }
  std::string out;
  FAB_ASSIGN_OR_RETURN(Flow flow, ExecBody(ast.body, root, &out));
  (void)flow;
  return out;
}

StatusOr<Interpreter::Flow> Interpreter::ExecBody(const StmtList& body, const FramePtr& frame, std::string* out) {
  for (const StmtPtr& s : body) {
    FAB_ASSIGN_OR_RETURN(Flow flow, ExecStmt(*s, frame, out));
    if (flow != Flow::kNormal) return flow;
  }
  return Flow::kNormal;
}

StatusOr<Interpreter::Flow> Interpreter::ExecStmt(const Stmt& s, const FramePtr& frame, std::string* out) {
  FAB_RETURN_IF_ERROR(Charge(1));
  struct DepthRelease {
    int* depth;
    ~DepthRelease() { --*depth; }
  } release{&depth_};
  FAB_RETURN_IF_ERROR(EnterNesting(s.expr.get()));
  switch (s.kind) {
    case StmtKind::kText: FAB_RETURN_IF_ERROR(Append(out, s.text)); return Flow::kNormal;
    case StmtKind::kOutput: {
      FAB_ASSIGN_OR_RETURN(Value v, Eval(*s.expr, frame));
      FAB_ASSIGN_OR_RETURN(std::string text, Str(v));
      FAB_RETURN_IF_ERROR(Append(out, text));
      return Flow::kNormal;
    }
    case StmtKind::kIf: {
      FAB_ASSIGN_OR_RETURN(Value cond, Eval(*s.expr, frame));
      return ExecBody(cond.Truthy() ? s.body : s.else_body, frame, out);
    }
    case StmtKind::kFor: return ExecFor(s, frame, out);
    case StmtKind::kSet: FAB_RETURN_IF_ERROR(ExecSet(s, frame)); return Flow::kNormal;
    case StmtKind::kSetBlock:
    case StmtKind::kFilterBlock: {
      std::string captured;
      FAB_ASSIGN_OR_RETURN(Flow flow, ExecBody(s.body, frame, &captured));
      (void)flow;
      FAB_ASSIGN_OR_RETURN(Value value, MakeString(std::move(captured)));
      if (s.filter) {
        auto scope = std::make_shared<Frame>();
        scope->parent = frame;
        scope->vars[""] = value;
        FAB_ASSIGN_OR_RETURN(value, Eval(*s.filter, scope));
      }
      if (s.kind == StmtKind::kSetBlock) {
        frame->vars[s.targets[0]] = value;
        return Flow::kNormal;
      }
      FAB_ASSIGN_OR_RETURN(std::string text, Str(value));
      FAB_RETURN_IF_ERROR(Append(out, text));
      return Flow::kNormal;
    }
    case StmtKind::kMacro: {
      CallableData macro;
      macro.kind = CallableData::Kind::kMacro;
      macro.name = s.macro->name;
      macro.macro = s.macro.get();
      macro.closure = frame;
      frame->vars[s.macro->name] = Value::Callable(std::move(macro));
      return Flow::kNormal;
    }
    case StmtKind::kBreak: return Flow::kBreak;
    case StmtKind::kContinue: return Flow::kContinue;
    case StmtKind::kBlockPassthrough: return ExecBody(s.body, frame, out);
  }
  return Flow::kNormal;
}

Status Interpreter::Bind(const std::vector<std::string>& targets, const Value& value, Frame* frame, const Stmt& at) {
  if (targets.size() == 1) {
    frame->vars[targets[0]] = value;
    return OkStatus();
  }
  const Expr* where = at.expr.get();
  Expr fallback;
  fallback.line = at.line;
  fallback.column = at.column;
  if (where == nullptr) where = &fallback;
  FAB_ASSIGN_OR_RETURN(std::vector<Value> parts, Iterate(value, *where));
  if (parts.size() != targets.size()) {
    return Error(*where, parts.size() > targets.size()
                             ? "too many values to unpack (expected " + std::to_string(targets.size()) + ")"
                             : "not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " +
                                   std::to_string(parts.size()) + ")");
  }
  for (size_t i = 0; i < targets.size(); ++i) frame->vars[targets[i]] = parts[i];
  return OkStatus();
}

Status Interpreter::ExecSet(const Stmt& s, const FramePtr& frame) {
  FAB_ASSIGN_OR_RETURN(Value value, Eval(*s.expr, frame));
  if (s.attribute.empty()) return Bind(s.targets, value, frame.get(), s);
  const Value* target = frame->Find(s.targets[0]);
  if (target == nullptr || !target->is_namespace()) {
    return Error(*s.expr, "cannot assign attribute on non-namespace object");
  }
  FAB_RETURN_IF_ERROR(CheckValueDepth(value));
  target->as_namespace().Set(s.attribute, value);
  return OkStatus();
}

StatusOr<Interpreter::Flow> Interpreter::ExecFor(const Stmt& s, const FramePtr& frame, std::string* out) {
  FAB_ASSIGN_OR_RETURN(Value iterable, Eval(*s.expr, frame));
  FAB_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(iterable, *s.expr));
  if (s.loop_filter) {
    std::vector<Value> kept;
    for (Value& item : items) {
      auto scope = std::make_shared<Frame>();
      scope->parent = frame;
      FAB_RETURN_IF_ERROR(Bind(s.targets, item, scope.get(), s));
      FAB_ASSIGN_OR_RETURN(Value keep, Eval(*s.loop_filter, scope));
      if (keep.Truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) return ExecBody(s.else_body, frame, out);
  auto shared_items = std::make_shared<ListData>();
  shared_items->items = std::move(items);
  for (size_t i = 0; i < shared_items->items.size(); ++i) {
    FAB_RETURN_IF_ERROR(Charge(1));
    auto scope = std::make_shared<Frame>();
    scope->parent = frame;
    auto state = std::make_shared<LoopState>();
    state->index0 = static_cast<int64_t>(i);
    state->items = shared_items;
    scope->vars["loop"] = Value::Loop(std::move(state));
    FAB_RETURN_IF_ERROR(Bind(s.targets, shared_items->items[i], scope.get(), s));
    FAB_ASSIGN_OR_RETURN(Flow flow, ExecBody(s.body, scope, out));
    if (flow == Flow::kBreak) break;
  }
  return Flow::kNormal;
}

StatusOr<Value> Interpreter::CallMacro(const CallableData& macro, const CallArgs& args, const Expr& at) {
  const MacroNode& node = *macro.macro;
  FramePtr closure = macro.closure.lock();
  if (closure == nullptr) return Error(at, "macro '" + node.name + "' called after its scope ended");
  if (args.positional.size() > node.params.size()) {
    return Error(at, "macro '" + node.name + "' takes not more than " + std::to_string(node.params.size()) +
                         " argument(s)");
  }
  if (call_depth_ >= limits_.max_call_depth) {
    return ResourceExhaustedError("template line " + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                  ": macro calls nested deeper than " + std::to_string(limits_.max_call_depth));
  }
  auto scope = std::make_shared<Frame>();
  scope->parent = closure;
  for (const auto& [key, value] : args.keyword) {
    bool known = false;
    for (const std::string& p : node.params) known = known || p == key;
    if (!known) return Error(at, "macro '" + node.name + "' takes no keyword argument '" + key + "'");
  }
  for (size_t i = 0; i < node.params.size(); ++i) {
    const Value* given = args.Get(i, node.params[i]);
    if (given != nullptr) {
      scope->vars[node.params[i]] = *given;
    } else if (node.defaults[i]) {
      FAB_ASSIGN_OR_RETURN(scope->vars[node.params[i]], Eval(*node.defaults[i], scope));
    } else {
      scope->vars[node.params[i]] = Value::MakeUndefined("'" + node.params[i] + "'");
    }
  }
  ++call_depth_;
  std::string out;
  StatusOr<Flow> flow = ExecBody(node.body, scope, &out);
  --call_depth_;
  if (!flow.ok()) return flow.status();
  return MakeString(std::move(out));
}

}  // namespace fab::jinja
