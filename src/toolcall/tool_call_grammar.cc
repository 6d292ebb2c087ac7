#include "toolcall/tool_call_grammar.h"

#include <boost/json.hpp>

#include "grammar/gbnf.h"
#include "grammar/json_schema.h"

namespace fab::toolcall {
namespace {

// A GBNF literal followed by a space, or nothing for empty text.
std::string Literal(std::string_view text) { return text.empty() ? "" : grammar::GbnfLiteral(text) + " "; }

}  // namespace

StatusOr<std::string> ToolCallGbnf(const ToolCallSyntax& syntax, const std::vector<ToolSchema>& tools,
                                   const ToolGrammarOptions& options) {
  if (tools.empty()) return InvalidArgumentError("tool calls need at least one tool");
  static const boost::json::value kAnyObject = {{"type", "object"}};
  std::vector<grammar::NamedSchema> schemas;
  std::string calls = "call ::=";
  std::string tool_rules;
  for (size_t i = 0; i < tools.size(); ++i) {
    const std::string rule = "tool-" + std::to_string(i);
    calls += (i == 0 ? " " : " | ") + rule;
    tool_rules += rule + " ::= " + Literal(tools[i].name + syntax.name_close) + rule + "-args " +
                  Literal(syntax.call_close) + "\n";
    const boost::json::value* parameters = tools[i].parameters != nullptr ? tools[i].parameters : &kAnyObject;
    schemas.push_back(grammar::NamedSchema{rule + "-args", parameters, tools[i].where});
  }
  if (options.answer != nullptr) {
    if (!options.from_trigger) return InvalidArgumentError("an answer alternative needs the whole region");
    schemas.push_back(grammar::NamedSchema{"answer", options.answer, options.answer_where});
  }
  FAB_ASSIGN_OR_RETURN(std::string argument_rules, grammar::JsonSchemaRulesGbnf(schemas));

  const std::string lead = syntax.lead();
  const std::string start = options.from_trigger ? lead : lead.substr(syntax.trigger.size());
  std::string root = std::string("root ::= ") + (options.answer != nullptr ? "answer | " : "") + Literal(start) + "call ";
  const bool many = options.parallel && syntax.max_calls != 1;
  if (many) {
    const std::string more = "( " + Literal(syntax.separator + syntax.call_open) + "call )";
    root += syntax.max_calls > 1 ? more + "{0," + std::to_string(syntax.max_calls - 1) + "} " : more + "* ";
  }
  root += Literal(syntax.close);
  return root + "\n" + calls + "\n" + tool_rules + argument_rules;
}

}  // namespace fab::toolcall
