#include "tokenizer/jinja/parser.h"

#include <charconv>
#include <cstdlib>
#include <set>

#include "tokenizer/jinja/lexer.h"
#include "tokenizer/utf8.h"

namespace fab::jinja {
namespace {

class Parser {
 public:
  Parser(std::vector<Token> tokens, const TemplateLimits& limits) : tokens_(std::move(tokens)), limits_(limits) {}

  StatusOr<TemplateAst> Run() {
    TemplateAst ast;
    std::string stopped_at;
    FAB_RETURN_IF_ERROR(ParseBody({}, &ast.body, &stopped_at));
    return ast;
  }

 private:
  // ---- token helpers ----
  const Token& Current() const { return tokens_[pos_]; }
  const Token& Peek(size_t ahead = 1) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  void Advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool IsOp(const char* op) const { return Current().kind == TokenKind::kOperator && Current().text == op; }
  bool IsName(const char* name) const { return Current().kind == TokenKind::kName && Current().text == name; }
  bool SkipOp(const char* op) {
    if (!IsOp(op)) return false;
    Advance();
    return true;
  }
  bool SkipName(const char* name) {
    if (!IsName(name)) return false;
    Advance();
    return true;
  }
  Status ErrorHere(const std::string& message) const { return SyntaxError(Current().line, Current().column, message); }
  std::string Describe(const Token& t) const {
    switch (t.kind) {
      case TokenKind::kText: return "text";
      case TokenKind::kVarBegin: return "'{{'";
      case TokenKind::kVarEnd: return "end of print statement";
      case TokenKind::kBlockBegin: return "'{%'";
      case TokenKind::kBlockEnd: return "end of statement block";
      case TokenKind::kEnd: return "end of template";
      default: return "'" + t.text + "'";
    }
  }
  Status Unexpected() const { return ErrorHere("unexpected " + Describe(Current())); }
  Status ExpectOp(const char* op) {
    if (SkipOp(op)) return OkStatus();
    return ErrorHere(std::string("expected '") + op + "', got " + Describe(Current()));
  }
  Status ExpectKind(TokenKind kind, const char* what) {
    if (Current().kind != kind) return ErrorHere(std::string("expected ") + what + ", got " + Describe(Current()));
    Advance();
    return OkStatus();
  }
  StatusOr<std::string> ExpectName() {
    if (Current().kind != TokenKind::kName) return ErrorHere("expected a name, got " + Describe(Current()));
    std::string name = Current().text;
    Advance();
    return name;
  }

  // Counts nesting; every recursive parse holds one.
  struct DepthGuard {
    Parser* parser;
    explicit DepthGuard(Parser* p) : parser(p) { ++parser->depth_; }
    ~DepthGuard() { --parser->depth_; }
  };
  Status CheckDepth() const {
    if (depth_ > limits_.max_nesting * 4) {
      return ResourceExhaustedError("template line " + std::to_string(Current().line) + ":" +
                                    std::to_string(Current().column) + ": nesting deeper than the limit of " +
                                    std::to_string(limits_.max_nesting));
    }
    return OkStatus();
  }

  // Operator, postfix and filter chains are parsed in loops but build trees
  // as deep as the chain; cap their length like nesting.
  Status CheckChain(int links) const {
    if (links > limits_.max_nesting * 16) {
      return ResourceExhaustedError("template line " + std::to_string(Current().line) + ":" +
                                    std::to_string(Current().column) + ": expression chain longer than " +
                                    std::to_string(limits_.max_nesting * 16));
    }
    return OkStatus();
  }

  ExprPtr NewExpr(ExprKind kind, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = at.line;
    e->column = at.column;
    return e;
  }

  // ---- statements ----
  // Parses statements until `{% <one of end_names>` (left unconsumed after the
  // name: *stopped_at holds it) or the end of the template.
  Status ParseBody(const std::set<std::string>& end_names, StmtList* out, std::string* stopped_at) {
    DepthGuard guard(this);
    FAB_RETURN_IF_ERROR(CheckDepth());
    while (true) {
      const Token& t = Current();
      if (t.kind == TokenKind::kEnd) {
        if (!end_names.empty()) {
          std::string expected;
          for (const std::string& name : end_names) expected += (expected.empty() ? "'" : " or '") + name + "'";
          return ErrorHere("unexpected end of template, expected " + expected);
        }
        return OkStatus();
      }
      if (t.kind == TokenKind::kText) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::kText;
        s->text = t.text;
        out->push_back(std::move(s));
        Advance();
        continue;
      }
      if (t.kind == TokenKind::kVarBegin) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::kOutput;
        s->line = t.line;
        s->column = t.column;
        Advance();
        FAB_ASSIGN_OR_RETURN(s->expr, ParseTuple(true, {}, false));
        FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kVarEnd, "'}}'"));
        out->push_back(std::move(s));
        continue;
      }
      if (t.kind != TokenKind::kBlockBegin) return Unexpected();
      Advance();
      if (Current().kind == TokenKind::kName && end_names.count(Current().text)) {
        *stopped_at = Current().text;
        Advance();
        return OkStatus();
      }
      FAB_ASSIGN_OR_RETURN(StmtPtr stmt, ParseStatement());
      out->push_back(std::move(stmt));
    }
  }

  StatusOr<StmtPtr> ParseStatement() {
    const Token& t = Current();
    if (t.kind != TokenKind::kName) return ErrorHere("tag name expected");
    auto s = std::make_unique<Stmt>();
    s->line = t.line;
    s->column = t.column;
    std::string keyword = t.text;
    Advance();
    if (keyword == "if") FAB_RETURN_IF_ERROR(ParseIf(s.get()));
    else if (keyword == "for") FAB_RETURN_IF_ERROR(ParseFor(s.get()));
    else if (keyword == "set") FAB_RETURN_IF_ERROR(ParseSet(s.get()));
    else if (keyword == "macro") FAB_RETURN_IF_ERROR(ParseMacro(s.get()));
    else if (keyword == "filter") FAB_RETURN_IF_ERROR(ParseFilterBlock(s.get()));
    else if (keyword == "generation") FAB_RETURN_IF_ERROR(ParseGeneration(s.get()));
    else if (keyword == "break" || keyword == "continue") {
      if (loop_depth_ == 0) return SyntaxError(s->line, s->column, "'" + keyword + "' outside of a loop");
      s->kind = keyword == "break" ? StmtKind::kBreak : StmtKind::kContinue;
      FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
    } else {
      return SyntaxError(s->line, s->column, "Encountered unknown or unsupported tag '" + keyword + "'");
    }
    return s;
  }

  Status ParseIf(Stmt* s) {
    DepthGuard guard(this);  // elif chains recurse here
    FAB_RETURN_IF_ERROR(CheckDepth());
    s->kind = StmtKind::kIf;
    FAB_ASSIGN_OR_RETURN(s->expr, ParseTuple(false, {}, false));
    FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
    std::string stop;
    FAB_RETURN_IF_ERROR(ParseBody({"elif", "else", "endif"}, &s->body, &stop));
    if (stop == "elif") {
      auto nested = std::make_unique<Stmt>();
      nested->line = Current().line;
      nested->column = Current().column;
      FAB_RETURN_IF_ERROR(ParseIf(nested.get()));
      s->else_body.push_back(std::move(nested));
      return OkStatus();
    }
    if (stop == "else") {
      FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
      FAB_RETURN_IF_ERROR(ParseBody({"endif"}, &s->else_body, &stop));
    }
    return ExpectKind(TokenKind::kBlockEnd, "'%}'");
  }

  // Names, optionally comma separated or parenthesized: `x`, `k, v`, `(k, v)`.
  Status ParseTargets(std::vector<std::string>* targets) {
    bool parenthesized = SkipOp("(");
    while (true) {
      FAB_ASSIGN_OR_RETURN(std::string name, ExpectName());
      targets->push_back(name);
      if (!SkipOp(",")) break;
      if (Current().kind != TokenKind::kName || IsName("in")) break;
    }
    if (parenthesized) FAB_RETURN_IF_ERROR(ExpectOp(")"));
    return OkStatus();
  }

  Status ParseFor(Stmt* s) {
    s->kind = StmtKind::kFor;
    FAB_RETURN_IF_ERROR(ParseTargets(&s->targets));
    if (!SkipName("in")) return ErrorHere("expected 'in', got " + Describe(Current()));
    FAB_ASSIGN_OR_RETURN(s->expr, ParseTuple(false, {"recursive", "if"}, false));
    if (SkipName("if")) {
      FAB_ASSIGN_OR_RETURN(s->loop_filter, ParseExpression(true));
    }
    if (IsName("recursive")) return ErrorHere("recursive loops are not supported");
    FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
    std::string stop;
    ++loop_depth_;
    Status body = ParseBody({"endfor", "else"}, &s->body, &stop);
    --loop_depth_;
    FAB_RETURN_IF_ERROR(body);
    if (stop == "else") {
      FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
      FAB_RETURN_IF_ERROR(ParseBody({"endfor"}, &s->else_body, &stop));
    }
    return ExpectKind(TokenKind::kBlockEnd, "'%}'");
  }

  Status ParseSet(Stmt* s) {
    s->kind = StmtKind::kSet;
    if (Current().kind == TokenKind::kName && Peek().kind == TokenKind::kOperator && Peek().text == ".") {
      s->targets.push_back(Current().text);
      Advance();
      Advance();
      FAB_ASSIGN_OR_RETURN(s->attribute, ExpectName());
    } else {
      FAB_RETURN_IF_ERROR(ParseTargets(&s->targets));
    }
    if (SkipOp("=")) {
      FAB_ASSIGN_OR_RETURN(s->expr, ParseTuple(true, {}, false));
      return ExpectKind(TokenKind::kBlockEnd, "'%}'");
    }
    if (!s->attribute.empty() || s->targets.size() != 1) return ErrorHere("expected '='");
    s->kind = StmtKind::kSetBlock;
    if (IsOp("|")) {
      FAB_ASSIGN_OR_RETURN(s->filter, ParseFilterChain());
    }
    FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
    std::string stop;
    FAB_RETURN_IF_ERROR(ParseBody({"endset"}, &s->body, &stop));
    return ExpectKind(TokenKind::kBlockEnd, "'%}'");
  }

  // `| f(args) | g` applied to the placeholder name "" (bound at run time).
  StatusOr<ExprPtr> ParseFilterChain() {
    ExprPtr input = NewExpr(ExprKind::kName, Current());
    return ParseFilterExpr(std::move(input));
  }

  Status ParseFilterBlock(Stmt* s) {
    s->kind = StmtKind::kFilterBlock;
    ExprPtr first = NewExpr(ExprKind::kFilter, Current());
    FAB_ASSIGN_OR_RETURN(first->name, ParseDottedName());
    first->args.push_back(NewExpr(ExprKind::kName, Current()));
    if (IsOp("(")) FAB_RETURN_IF_ERROR(ParseCallArgs(first.get()));
    FAB_ASSIGN_OR_RETURN(s->filter, ParseFilterExpr(std::move(first)));
    FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
    std::string stop;
    FAB_RETURN_IF_ERROR(ParseBody({"endfilter"}, &s->body, &stop));
    return ExpectKind(TokenKind::kBlockEnd, "'%}'");
  }

  Status ParseGeneration(Stmt* s) {
    s->kind = StmtKind::kBlockPassthrough;
    FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
    std::string stop;
    FAB_RETURN_IF_ERROR(ParseBody({"endgeneration"}, &s->body, &stop));
    return ExpectKind(TokenKind::kBlockEnd, "'%}'");
  }

  Status ParseMacro(Stmt* s) {
    s->kind = StmtKind::kMacro;
    s->macro = std::make_shared<MacroNode>();
    FAB_ASSIGN_OR_RETURN(s->macro->name, ExpectName());
    FAB_RETURN_IF_ERROR(ExpectOp("("));
    while (!IsOp(")")) {
      if (!s->macro->params.empty()) FAB_RETURN_IF_ERROR(ExpectOp(","));
      if (IsOp(")")) break;
      FAB_ASSIGN_OR_RETURN(std::string param, ExpectName());
      ExprPtr default_value;
      if (SkipOp("=")) {
        FAB_ASSIGN_OR_RETURN(default_value, ParseExpression(true));
      } else if (!s->macro->defaults.empty() && s->macro->defaults.back()) {
        return ErrorHere("non-default argument follows default argument");
      }
      s->macro->params.push_back(param);
      s->macro->defaults.push_back(std::move(default_value));
    }
    Advance();
    FAB_RETURN_IF_ERROR(ExpectKind(TokenKind::kBlockEnd, "'%}'"));
    std::string stop;
    int saved_loop_depth = loop_depth_;
    loop_depth_ = 0;
    Status body = ParseBody({"endmacro"}, &s->macro->body, &stop);
    loop_depth_ = saved_loop_depth;
    FAB_RETURN_IF_ERROR(body);
    if (Current().kind == TokenKind::kName) Advance();  // {% endmacro name %}
    return ExpectKind(TokenKind::kBlockEnd, "'%}'");
  }

  // ---- expressions ----
  bool AtTupleEnd(const std::set<std::string>& extra_end) const {
    const Token& t = Current();
    if (t.kind == TokenKind::kVarEnd || t.kind == TokenKind::kBlockEnd || t.kind == TokenKind::kEnd) return true;
    if (t.kind == TokenKind::kOperator && t.text == ")") return true;
    return t.kind == TokenKind::kName && extra_end.count(t.text) > 0;
  }

  StatusOr<ExprPtr> ParseTuple(bool with_condexpr, const std::set<std::string>& extra_end, bool explicit_parens) {
    const Token& start = Current();
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
      if (!items.empty()) FAB_RETURN_IF_ERROR(ExpectOp(","));
      if (AtTupleEnd(extra_end)) break;
      FAB_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(with_condexpr));
      items.push_back(std::move(item));
      if (IsOp(",")) is_tuple = true;
      else break;
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parens) return ErrorHere("Expected an expression, got " + Describe(Current()));
    }
    ExprPtr tuple = NewExpr(ExprKind::kTuple, start);
    tuple->args = std::move(items);
    return tuple;
  }

  StatusOr<ExprPtr> ParseExpression(bool with_condexpr) {
    DepthGuard guard(this);
    FAB_RETURN_IF_ERROR(CheckDepth());
    if (!with_condexpr) return ParseOr();
    FAB_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
    while (IsName("if")) {
      ExprPtr cond = NewExpr(ExprKind::kCondition, Current());
      Advance();
      FAB_ASSIGN_OR_RETURN(ExprPtr test, ParseOr());
      ExprPtr otherwise;
      if (SkipName("else")) {
        FAB_ASSIGN_OR_RETURN(otherwise, ParseExpression(true));
      }
      cond->args.push_back(std::move(test));
      cond->args.push_back(std::move(expr));
      cond->args.push_back(std::move(otherwise));
      expr = std::move(cond);
    }
    return expr;
  }

  ExprPtr Combine(ExprKind kind, const Token& at, std::string op, ExprPtr left, ExprPtr right) {
    ExprPtr e = NewExpr(kind, at);
    e->name = std::move(op);
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return e;
  }

  StatusOr<ExprPtr> ParseOr() {
    FAB_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
    for (int links = 1; IsName("or"); ++links) {
      FAB_RETURN_IF_ERROR(CheckChain(links));
      Token at = Current();
      Advance();
      FAB_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
      left = Combine(ExprKind::kOr, at, "or", std::move(left), std::move(right));
    }
    return left;
  }

  StatusOr<ExprPtr> ParseAnd() {
    FAB_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
    for (int links = 1; IsName("and"); ++links) {
      FAB_RETURN_IF_ERROR(CheckChain(links));
      Token at = Current();
      Advance();
      FAB_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
      left = Combine(ExprKind::kAnd, at, "and", std::move(left), std::move(right));
    }
    return left;
  }

  StatusOr<ExprPtr> ParseNot() {
    if (IsName("not")) {
      DepthGuard guard(this);
      FAB_RETURN_IF_ERROR(CheckDepth());
      ExprPtr e = NewExpr(ExprKind::kUnary, Current());
      e->name = "not";
      Advance();
      FAB_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
      e->args.push_back(std::move(operand));
      return e;
    }
    return ParseCompare();
  }

  // Chained comparisons `a < b < c` become `a < b and b < c` (operands are pure).
  StatusOr<ExprPtr> ParseCompare() {
    FAB_ASSIGN_OR_RETURN(ExprPtr left, ParseMath1());
    ExprPtr result;
    const Expr* last_right = nullptr;
    for (int links = 1;; ++links) {
      FAB_RETURN_IF_ERROR(CheckChain(links));
      Token at = Current();
      std::string op;
      if (at.kind == TokenKind::kOperator &&
          (at.text == "==" || at.text == "!=" || at.text == "<" || at.text == "<=" || at.text == ">" || at.text == ">=")) {
        op = at.text;
        Advance();
      } else if (IsName("in")) {
        op = "in";
        Advance();
      } else if (IsName("not") && Peek().kind == TokenKind::kName && Peek().text == "in") {
        op = "not in";
        Advance();
        Advance();
      } else {
        break;
      }
      FAB_ASSIGN_OR_RETURN(ExprPtr right, ParseMath1());
      ExprPtr lhs = last_right == nullptr ? std::move(left) : CloneOperand(*last_right);
      ExprPtr cmp = Combine(ExprKind::kBinary, at, op, std::move(lhs), std::move(right));
      last_right = cmp->args[1].get();
      result = result ? Combine(ExprKind::kAnd, at, "and", std::move(result), std::move(cmp)) : std::move(cmp);
    }
    return result ? std::move(result) : std::move(left);
  }

  // Comparison chains reuse their middle operand: re-parse is not possible, so
  // the chain shares it by cloning the tree.
  ExprPtr CloneOperand(const Expr& e) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->line = e.line;
    c->column = e.column;
    c->name = e.name;
    c->negated = e.negated;
    c->literal = e.literal;
    for (const auto& a : e.args) c->args.push_back(a ? CloneOperand(*a) : nullptr);
    for (const auto& [k, v] : e.kwargs) c->kwargs.emplace_back(k, v ? CloneOperand(*v) : nullptr);
    return c;
  }

  template <typename Next>
  StatusOr<ExprPtr> ParseLeftAssoc(std::initializer_list<const char*> ops, Next next) {
    FAB_ASSIGN_OR_RETURN(ExprPtr left, (this->*next)());
    for (int links = 1;; ++links) {
      FAB_RETURN_IF_ERROR(CheckChain(links));
      const char* matched = nullptr;
      for (const char* op : ops) {
        if (IsOp(op)) matched = op;
      }
      if (matched == nullptr) return left;
      Token at = Current();
      Advance();
      FAB_ASSIGN_OR_RETURN(ExprPtr right, (this->*next)());
      left = Combine(ExprKind::kBinary, at, matched, std::move(left), std::move(right));
    }
  }

  StatusOr<ExprPtr> ParseMath1() { return ParseLeftAssoc({"+", "-"}, &Parser::ParseConcat); }
  StatusOr<ExprPtr> ParseConcat() { return ParseLeftAssoc({"~"}, &Parser::ParseMath2); }
  StatusOr<ExprPtr> ParseMath2() { return ParseLeftAssoc({"*", "/", "//", "%"}, &Parser::ParsePow); }
  StatusOr<ExprPtr> ParsePow() { return ParseLeftAssoc({"**"}, &Parser::ParseUnaryWithFilter); }
  StatusOr<ExprPtr> ParseUnaryWithFilter() { return ParseUnary(true); }

  StatusOr<ExprPtr> ParseUnary(bool with_filter) {
    DepthGuard guard(this);
    FAB_RETURN_IF_ERROR(CheckDepth());
    ExprPtr node;
    if (IsOp("-") || IsOp("+")) {
      node = NewExpr(ExprKind::kUnary, Current());
      node->name = Current().text;
      Advance();
      FAB_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary(false));
      node->args.push_back(std::move(operand));
    } else {
      FAB_ASSIGN_OR_RETURN(node, ParsePrimary());
    }
    FAB_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
    if (with_filter) {
      FAB_ASSIGN_OR_RETURN(node, ParseFilterExpr(std::move(node)));
    }
    return node;
  }

  StatusOr<ExprPtr> ParsePrimary() {
    const Token& t = Current();
    if (t.kind == TokenKind::kName) {
      ExprPtr e = NewExpr(ExprKind::kLiteral, t);
      if (t.text == "true" || t.text == "True") e->literal = Value::Bool(true);
      else if (t.text == "false" || t.text == "False") e->literal = Value::Bool(false);
      else if (t.text == "none" || t.text == "None") e->literal = Value::None();
      else {
        e->kind = ExprKind::kName;
        e->name = t.text;
      }
      Advance();
      return e;
    }
    if (t.kind == TokenKind::kString) {
      ExprPtr e = NewExpr(ExprKind::kLiteral, t);
      std::string text;
      while (Current().kind == TokenKind::kString) {
        text += Current().text;
        Advance();
      }
      if (!IsValidUtf8(text)) return SyntaxError(e->line, e->column, "string literal is not valid UTF-8");
      e->literal = Value::String(std::move(text));
      return e;
    }
    if (t.kind == TokenKind::kInteger || t.kind == TokenKind::kFloat) return ParseNumber();
    if (IsOp("(")) {
      Advance();
      FAB_ASSIGN_OR_RETURN(ExprPtr inner, ParseTuple(true, {}, true));
      FAB_RETURN_IF_ERROR(ExpectOp(")"));
      return inner;
    }
    if (IsOp("[")) return ParseListLiteral();
    if (IsOp("{")) return ParseDictLiteral();
    return Unexpected();
  }

  StatusOr<ExprPtr> ParseNumber() {
    const Token& t = Current();
    ExprPtr e = NewExpr(ExprKind::kLiteral, t);
    if (t.kind == TokenKind::kInteger) {
      int64_t v = 0;
      auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (r.ec != std::errc() || r.ptr != t.text.data() + t.text.size()) {
        return SyntaxError(t.line, t.column, "integer literal out of the 64-bit range");
      }
      e->literal = Value::Int(v);
    } else {
      e->literal = Value::Float(std::strtod(t.text.c_str(), nullptr));
    }
    Advance();
    return e;
  }

  StatusOr<ExprPtr> ParseListLiteral() {
    ExprPtr e = NewExpr(ExprKind::kList, Current());
    Advance();
    while (!IsOp("]")) {
      if (!e->args.empty()) FAB_RETURN_IF_ERROR(ExpectOp(","));
      if (IsOp("]")) break;
      FAB_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(true));
      e->args.push_back(std::move(item));
    }
    Advance();
    return e;
  }

  StatusOr<ExprPtr> ParseDictLiteral() {
    ExprPtr e = NewExpr(ExprKind::kDict, Current());
    Advance();
    while (!IsOp("}")) {
      if (!e->args.empty()) FAB_RETURN_IF_ERROR(ExpectOp(","));
      if (IsOp("}")) break;
      FAB_ASSIGN_OR_RETURN(ExprPtr key, ParseExpression(true));
      FAB_RETURN_IF_ERROR(ExpectOp(":"));
      FAB_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
      e->args.push_back(std::move(key));
      e->args.push_back(std::move(value));
    }
    Advance();
    return e;
  }

  StatusOr<ExprPtr> ParsePostfix(ExprPtr node) {
    for (int links = 1;; ++links) {
      FAB_RETURN_IF_ERROR(CheckChain(links));
      if (IsOp(".") || IsOp("[")) {
        FAB_ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node)));
      } else if (IsOp("(")) {
        FAB_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  StatusOr<ExprPtr> ParseFilterExpr(ExprPtr node) {
    for (int links = 1;; ++links) {
      FAB_RETURN_IF_ERROR(CheckChain(links));
      if (IsOp("|")) {
        FAB_ASSIGN_OR_RETURN(node, ParseFilter(std::move(node)));
      } else if (IsName("is")) {
        FAB_ASSIGN_OR_RETURN(node, ParseTest(std::move(node)));
      } else if (IsOp("(")) {
        FAB_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
      } else {
        return node;
      }
    }
  }

  StatusOr<ExprPtr> ParseSubscript(ExprPtr node) {
    DepthGuard guard(this);
    FAB_RETURN_IF_ERROR(CheckDepth());
    if (SkipOp(".")) {
      const Token& t = Current();
      if (t.kind == TokenKind::kName) {
        ExprPtr e = NewExpr(ExprKind::kGetAttr, t);
        e->name = t.text;
        e->args.push_back(std::move(node));
        Advance();
        return e;
      }
      if (t.kind == TokenKind::kInteger) {
        ExprPtr e = NewExpr(ExprKind::kGetItem, t);
        FAB_ASSIGN_OR_RETURN(ExprPtr index, ParseNumber());
        e->args.push_back(std::move(node));
        e->args.push_back(std::move(index));
        return e;
      }
      return ErrorHere("expected name or number");
    }
    Token at = Current();
    Advance();  // '['
    std::vector<ExprPtr> parts;
    while (!IsOp("]")) {
      if (!parts.empty()) FAB_RETURN_IF_ERROR(ExpectOp(","));
      if (IsOp("]")) break;
      FAB_ASSIGN_OR_RETURN(ExprPtr part, ParseSubscribed());
      parts.push_back(std::move(part));
    }
    FAB_RETURN_IF_ERROR(ExpectOp("]"));
    if (parts.empty()) return SyntaxError(at.line, at.column, "empty subscript");
    ExprPtr e;
    if (parts.size() == 1 && parts[0]->kind == ExprKind::kSlice) {
      e = std::move(parts[0]);
      e->args.insert(e->args.begin(), std::move(node));
      return e;
    }
    for (const ExprPtr& part : parts) {
      if (part->kind == ExprKind::kSlice) return SyntaxError(at.line, at.column, "a slice inside a tuple subscript is not supported");
    }
    e = NewExpr(ExprKind::kGetItem, at);
    e->args.push_back(std::move(node));
    if (parts.size() == 1) {
      e->args.push_back(std::move(parts[0]));
    } else {
      ExprPtr tuple = NewExpr(ExprKind::kTuple, at);
      tuple->args = std::move(parts);
      e->args.push_back(std::move(tuple));
    }
    return e;
  }

  // One subscript part: an expression or a slice `a:b:c` (args: start, stop, step).
  StatusOr<ExprPtr> ParseSubscribed() {
    Token at = Current();
    ExprPtr start;
    if (!IsOp(":")) {
      FAB_ASSIGN_OR_RETURN(start, ParseExpression(true));
      if (!IsOp(":")) return start;
    }
    Advance();  // ':'
    ExprPtr slice = NewExpr(ExprKind::kSlice, at);
    slice->args.push_back(std::move(start));
    ExprPtr stop, step;
    if (!IsOp("]") && !IsOp(",") && !IsOp(":")) {
      FAB_ASSIGN_OR_RETURN(stop, ParseExpression(true));
    }
    if (SkipOp(":")) {
      if (!IsOp("]") && !IsOp(",")) {
        FAB_ASSIGN_OR_RETURN(step, ParseExpression(true));
      }
    }
    slice->args.push_back(std::move(stop));
    slice->args.push_back(std::move(step));
    return slice;
  }

  Status ParseCallArgs(Expr* e) {
    FAB_RETURN_IF_ERROR(ExpectOp("("));
    bool first = true;
    while (!IsOp(")")) {
      if (!first) FAB_RETURN_IF_ERROR(ExpectOp(","));
      first = false;
      if (IsOp(")")) break;
      if (IsOp("*") || IsOp("**")) return ErrorHere("*args and **kwargs are not supported");
      if (Current().kind == TokenKind::kName && Peek().kind == TokenKind::kOperator && Peek().text == "=") {
        std::string key = Current().text;
        Advance();
        Advance();
        FAB_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
        e->kwargs.emplace_back(std::move(key), std::move(value));
      } else {
        if (!e->kwargs.empty()) return ErrorHere("positional argument follows keyword argument");
        FAB_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
        e->args.push_back(std::move(value));
      }
    }
    Advance();
    return OkStatus();
  }

  StatusOr<ExprPtr> ParseCall(ExprPtr callee) {
    DepthGuard guard(this);
    FAB_RETURN_IF_ERROR(CheckDepth());
    ExprPtr e = NewExpr(ExprKind::kCall, Current());
    e->args.push_back(std::move(callee));
    FAB_RETURN_IF_ERROR(ParseCallArgs(e.get()));
    return e;
  }

  StatusOr<std::string> ParseDottedName() {
    FAB_ASSIGN_OR_RETURN(std::string name, ExpectName());
    while (IsOp(".") && Peek().kind == TokenKind::kName) {
      Advance();
      name += "." + Current().text;
      Advance();
    }
    return name;
  }

  StatusOr<ExprPtr> ParseFilter(ExprPtr node) {
    DepthGuard guard(this);
    FAB_RETURN_IF_ERROR(CheckDepth());
    FAB_RETURN_IF_ERROR(ExpectOp("|"));
    ExprPtr e = NewExpr(ExprKind::kFilter, Current());
    FAB_ASSIGN_OR_RETURN(e->name, ParseDottedName());
    e->args.push_back(std::move(node));
    if (IsOp("(")) FAB_RETURN_IF_ERROR(ParseCallArgs(e.get()));
    return e;
  }

  StatusOr<ExprPtr> ParseTest(ExprPtr node) {
    DepthGuard guard(this);
    FAB_RETURN_IF_ERROR(CheckDepth());
    Advance();  // 'is'
    ExprPtr e = NewExpr(ExprKind::kTest, Current());
    e->negated = SkipName("not");
    FAB_ASSIGN_OR_RETURN(e->name, ParseDottedName());
    e->args.push_back(std::move(node));
    const Token& t = Current();
    bool arg_start = t.kind == TokenKind::kName || t.kind == TokenKind::kString || t.kind == TokenKind::kInteger ||
                     t.kind == TokenKind::kFloat || IsOp("[") || IsOp("{");
    if (IsOp("(")) {
      FAB_RETURN_IF_ERROR(ParseCallArgs(e.get()));
    } else if (arg_start && !IsName("else") && !IsName("or") && !IsName("and")) {
      if (IsName("is")) return ErrorHere("You cannot chain multiple tests with is");
      FAB_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
      FAB_ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
      e->args.push_back(std::move(arg));
    }
    return e;
  }

  std::vector<Token> tokens_;
  const TemplateLimits& limits_;
  size_t pos_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
};

}  // namespace

StatusOr<TemplateAst> ParseTemplate(std::string_view source, const TemplateLimits& limits) {
  if (source.size() > limits.max_source_bytes) {
    return ResourceExhaustedError("template source is " + std::to_string(source.size()) +
                                  " bytes; the limit is " + std::to_string(limits.max_source_bytes));
  }
  size_t bad = 0;
  if (!IsValidUtf8(source, &bad)) {
    return InvalidArgumentError("template source is not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  FAB_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source));
  return Parser(std::move(tokens), limits).Run();
}

}  // namespace fab::jinja
