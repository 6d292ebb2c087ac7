// The structured-output fields of /v1/completions and /v1/chat/completions,
// parsed into one GrammarSpec (at most one may be given):
//   response_format {"type": "text"} (no constraint), {"type": "json_object"},
//     {"type": "json_schema", "json_schema": {"name", "schema", "strict"}};
//   grammar (GBNF text, as llama-server) and its vLLM alias guided_grammar;
//   guided_json (a schema object, or its JSON text);
//   guided_choice (vLLM: a list of strings, one of which is written).
//   regex and its vLLM alias guided_regex (the whole output matches it;
//     the subset in grammar/regex.h).
// Compiling happens later (server/grammar_library.h). Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "base/types.h"
#include "server/api_result.h"

namespace fab::server {

struct GrammarSpec {
  enum class Kind { kGbnf, kJsonSchema, kJsonObject, kRegex };
  Kind kind = Kind::kGbnf;
  std::string text;   // GBNF, the schema's JSON text, or the regex; empty for kJsonObject
  std::string field;  // the request field it came from, for errors ("response_format")
  // Control tokens the grammar writes by their text (tool-call markers such
  // as "[TOOL_CALLS]"); the others never match it.
  std::vector<TokenId> shown_control_tokens;
};

// Texts above this many bytes are refused (a schema or grammar, not a document).
inline constexpr size_t kMaxGrammarBytes = 256 * 1024;

ApiResult<std::optional<GrammarSpec>> ParseGrammarFields(const boost::json::object& request);

}  // namespace fab::server
