// Renders a parsed chat template: walks the TemplateAst with jinja2's
// semantics (scoping, Undefined, Python operators and printing) under the
// caps of TemplateLimits. One Interpreter serves one render and is then
// dropped; it is not thread-safe, but many may run over one shared AST.
// Failure: InvalidArgument for template/runtime errors (with line:column),
// raise_exception's message verbatim, ResourceExhausted for a hit cap.
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "tokenizer/jinja/ast.h"
#include "tokenizer/jinja/limits.h"
#include "tokenizer/jinja/value.h"

namespace fab::jinja {

struct RenderOptions {
  // The clock behind strftime_now(); null: the local time now.
  std::function<std::tm()> now;
};

// One scope: the root (template variables), a for-loop iteration, or a macro call.
struct Frame {
  std::shared_ptr<Frame> parent;
  std::unordered_map<std::string, Value> vars;
  const Value* Find(const std::string& name) const;
};
using FramePtr = std::shared_ptr<Frame>;

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
  const Value* Keyword(const std::string& name) const;
  // The argument at `index`, else the keyword `name`, else null.
  const Value* Get(size_t index, const std::string& name) const;
};

class Interpreter {
 public:
  Interpreter(const TemplateLimits& limits, const RenderOptions& options);

  StatusOr<std::string> Render(const TemplateAst& ast, const DictData& variables);

  // ---- shared with the filters, tests and methods ----
  const TemplateLimits& limits() const { return limits_; }
  // Spends `n` steps of the budget; also enforces limits.max_render_milliseconds.
  Status Charge(int64_t n);
  // Python ==, and < (nullopt: not orderable), charging the elements visited.
  StatusOr<bool> Equal(const Value& a, const Value& b);
  StatusOr<std::optional<bool>> Less(const Value& a, const Value& b);
  // A string/list value, counted against the size caps.
  StatusOr<Value> MakeString(std::string text);
  StatusOr<Value> MakeList(std::vector<Value> items, bool is_tuple = false);
  // A new namespace (the one mutable value), emptied when the render ends so
  // namespaces that refer to each other are freed without deep recursion.
  Value MakeNamespace(DictData attributes);
  // Values may nest at most this deep (lists/dicts; JSON input allows 128),
  // which bounds the recursion that frees them.
  static constexpr int kMaxValueDepth = 512;
  Status CheckValueDepth(const Value& value) const;
  // The error for an operation on an undefined value.
  Status UndefinedError(const Value& value, const Expr& at) const;
  Status Error(const Expr& at, const std::string& message) const;
  // Python iteration: list/tuple items, dict keys, string characters; Undefined is empty.
  StatusOr<std::vector<Value>> Iterate(const Value& value, const Expr& at);
  StatusOr<std::string> Str(const Value& value);
  StatusOr<Value> GetAttr(const Value& object, const std::string& name, const Expr& at);
  StatusOr<Value> GetItem(const Value& object, const Value& key, const Expr& at);
  StatusOr<Value> CallValue(const Value& callee, const CallArgs& args, const Expr& at);
  StatusOr<Value> ApplyFilter(const std::string& name, const Value& input, const CallArgs& args, const Expr& at);
  StatusOr<Value> ApplySequenceFilter(const std::string& name, const Value& input, const CallArgs& args,
                                      const Expr& at);
  StatusOr<bool> ApplyTest(const std::string& name, const Value& input, const CallArgs& args, const Expr& at);

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  StatusOr<Value> Eval(const Expr& e, const FramePtr& frame);
  StatusOr<Value> EvalUnchecked(const Expr& e, const FramePtr& frame);
  StatusOr<Value> EvalBinary(const Expr& e, const FramePtr& frame);
  StatusOr<Value> EvalSlice(const Expr& e, const FramePtr& frame);
  StatusOr<CallArgs> EvalArgs(const Expr& e, size_t first_arg, const FramePtr& frame);
  StatusOr<Value> LookupName(const Expr& e, const FramePtr& frame);

  StatusOr<Flow> ExecBody(const StmtList& body, const FramePtr& frame, std::string* out);
  StatusOr<Flow> ExecStmt(const Stmt& s, const FramePtr& frame, std::string* out);
  StatusOr<Flow> ExecFor(const Stmt& s, const FramePtr& frame, std::string* out);
  Status ExecSet(const Stmt& s, const FramePtr& frame);
  Status Bind(const std::vector<std::string>& targets, const Value& value, Frame* frame, const Stmt& at);
  Status Append(std::string* out, const std::string& text);
  StatusOr<Value> CallMacro(const CallableData& macro, const CallArgs& args, const Expr& at);
  StatusOr<Value> CallGlobal(const std::string& name, const CallArgs& args, const Expr& at);
  StatusOr<Value> CallMethod(const Value& receiver, const std::string& name, const CallArgs& args, const Expr& at);
  StatusOr<Value> LoopAttribute(const Value& loop, const std::string& name, const Expr& at);
  Status EnterNesting(const Expr* at);

  const TemplateLimits& limits_;
  const RenderOptions& options_;
  std::unordered_map<std::string, Value> globals_;
  int64_t steps_ = 0;
  size_t created_bytes_ = 0;
  int depth_ = 0;
  int call_depth_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::vector<Value> namespaces_;  // every namespace this render created
};

// A callable that runs receiver.name(…) (str/dict/list methods, loop.cycle).
Value MakeBoundMethod(const Value& receiver, const std::string& name);

// Binary operators on values (Python semantics): + - * / // % ** ~ and comparisons.
StatusOr<Value> ApplyBinaryOperator(Interpreter& interp, const std::string& op, const Value& left,
                                    const Value& right, const Expr& at);

}  // namespace fab::jinja
