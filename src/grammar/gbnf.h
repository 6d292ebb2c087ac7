// llama.cpp's GBNF grammar text (grammars/README.md there), compiled to a
// Grammar: `name ::= alternatives` rules, `|`, sequences, "literals" and
// [character classes] with \n \r \t \\ \" \[ \] \xHH \uHHHH \UHHHHHHHH
// escapes, `.` (any character), ( groups ), the postfix * + ? {m} {m,}
// {m,n}, and # comments. Newlines end a rule except after `::=`, after `|`
// and inside parentheses. The start rule is `root`. Repetition becomes
// right-recursive helper rules, as llama.cpp builds them.
// Refused with a Status naming the line and column: invalid UTF-8, syntax
// errors, undefined or twice-defined rules, a missing root, llama.cpp's
// token references (<[id]>), repetition bounds above kMaxRepetition, and
// whatever Validate refuses (left recursion, size limits).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "grammar/grammar.h"

namespace fab::grammar {

inline constexpr int64_t kMaxRepetition = 10000;

StatusOr<Grammar> ParseGbnf(std::string_view text, const GrammarLimits& limits = {});

// A GBNF string literal ("...") matching exactly `bytes`: quote and
// backslash escaped, control bytes as \xHH, UTF-8 kept as it is.
std::string GbnfLiteral(std::string_view bytes);

}  // namespace fab::grammar
