// Splits chat-template source into tokens the way jinja2's lexer does with
// Hugging Face's settings (trim_blocks=True, lstrip_blocks=True,
// keep_trailing_newline=False): text runs, `{{ }}` / `{% %}` delimiters,
// and expression tokens. Comments vanish, `{% raw %}` becomes text, and the
// whitespace control marks (`-`, `+`) are applied here, so the parser never
// sees them. Errors: InvalidArgument "line L:C: …".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fab::jinja {

enum class TokenKind {
  kText,        // literal output
  kVarBegin,    // {{
  kVarEnd,      // }}
  kBlockBegin,  // {%
  kBlockEnd,    // %}
  kName,
  kString,      // text holds the unescaped value
  kInteger,     // text holds the digits (underscores removed)
  kFloat,
  kOperator,    // text holds the operator
  kEnd,
};

struct Token {
  TokenKind kind;
  std::string text;
  int line = 1;
  int column = 1;
};

// "line L:C: message" as an InvalidArgument Status.
Status SyntaxError(int line, int column, const std::string& message);

StatusOr<std::vector<Token>> Tokenize(std::string_view source);

}  // namespace fab::jinja
