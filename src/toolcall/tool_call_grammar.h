// The grammar of a region of tool calls (tool_call_syntax.h) for the tools
// a request offers: each call names one of them, and its arguments match
// that tool's `parameters` JSON Schema (grammar/json_schema.h, with its
// supported subset and compact whitespace). GBNF text, so that the grammar
// library compiles and caches it like any other. Pure, thread-safe.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "base/status.h"
#include "toolcall/tool_call_syntax.h"

namespace fab::toolcall {

struct ToolSchema {
  std::string name;                      // letters, digits, '_' and '-' (the caller checks)
  const boost::json::value* parameters;  // not owned; null: any JSON object
  std::string where;                     // names it in errors: "tools[2].function.parameters"
};

struct ToolGrammarOptions {
  bool parallel = true;       // more than one call (up to the syntax's max_calls)
  bool from_trigger = true;   // the whole region; false: only what follows the trigger
  // An answer the output may be instead of the calls (response_format's
  // schema, named `answer_where` in errors); needs from_trigger. Null: calls only.
  const boost::json::value* answer = nullptr;
  std::string answer_where = "response_format";
};

// InvalidArgument naming the tool's `where` when a schema is refused.
StatusOr<std::string> ToolCallGbnf(const ToolCallSyntax& syntax, const std::vector<ToolSchema>& tools,
                                   const ToolGrammarOptions& options);

}  // namespace fab::toolcall
