// The parsed form of a chat template: expression and statement trees built
// by the parser and walked by the interpreter. Nodes own their children;
// the tree is immutable after parsing, so one parse serves many renders
// (from any number of threads).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/jinja/value.h"

namespace fab::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  kLiteral,    // literal
  kName,       // name
  kList,       // args = items
  kTuple,      // args = items
  kDict,       // args = keys and values interleaved
  kGetAttr,    // args[0].name
  kGetItem,    // args[0][args[1]]
  kSlice,      // args[0][args[1]:args[2]:args[3]] (null = omitted)
  kCall,       // args[0](args[1..], kwargs)
  kFilter,     // args[0] | name(args[1..], kwargs)
  kTest,       // args[0] is [not] name(args[1..], kwargs); negated
  kUnary,      // op args[0]: "not", "-", "+"
  kBinary,     // args[0] op args[1]: + - * / // % ** ~ == != < <= > >= in "not in"
  kAnd,
  kOr,
  kCondition,  // args[1] if args[0] else args[2] (args[2] null: undefined)
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  int line = 0;
  int column = 0;
  std::string name;  // name, attribute, filter, test, operator
  bool negated = false;
  Value literal;
  std::vector<ExprPtr> args;  // may hold null for omitted slice parts
  std::vector<std::pair<std::string, ExprPtr>> kwargs;

  Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;
  // Frees the subtree without recursion, so a long operator chain cannot
  // overflow the stack when the tree is dropped.
  ~Expr() {
    std::vector<ExprPtr> pending;
    auto detach = [&pending](Expr& e) {
      for (ExprPtr& a : e.args) {
        if (a) pending.push_back(std::move(a));
      }
      for (auto& kv : e.kwargs) {
        if (kv.second) pending.push_back(std::move(kv.second));
      }
    };
    detach(*this);
    while (!pending.empty()) {
      ExprPtr e = std::move(pending.back());
      pending.pop_back();
      detach(*e);
    }
  }
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

enum class StmtKind {
  kText,      // text
  kOutput,    // {{ expr }}
  kIf,        // if expr: body else: else_body (elif = an If inside else_body)
  kFor,       // for targets in expr [if filter]: body else: else_body
  kSet,       // targets = expr  |  attribute set: targets[0].attribute = expr
  kSetBlock,  // targets[0] = rendered body (then | filters in `filter`)
  kMacro,     // name(params = defaults): body
  kBreak,
  kContinue,
  kFilterBlock,  // render body, then apply `filter` (an Expr chain on a placeholder)
  kBlockPassthrough,  // {% generation %}: render body as is
};

struct MacroNode;

struct Stmt {
  StmtKind kind = StmtKind::kText;
  int line = 0;
  int column = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr loop_filter;               // for … if cond
  ExprPtr filter;                    // set-block / filter-block filter chain
  std::vector<std::string> targets;  // for / set names
  std::string attribute;             // set ns.attribute
  StmtList body;
  StmtList else_body;
  std::shared_ptr<MacroNode> macro;  // kMacro
};

struct MacroNode {
  std::string name;
  std::vector<std::string> params;
  std::vector<ExprPtr> defaults;  // aligned with params; null = no default
  StmtList body;
};

// A parsed template: its top-level statements.
struct TemplateAst {
  StmtList body;
};

}  // namespace fab::jinja
