// Regular expressions (the subset JSON Schema `pattern` and vLLM's
// guided_regex use in practice, with ECMAScript meanings) compiled to a GBNF
// expression, so a constrained model writes only text the regex matches:
//   literals and escapes (\n \t \r \f \v \0 \xHH \uHHHH, escaped
//   punctuation), . (any character but a line break), classes [a-z] [^…],
//   \d \w \s and their negations, groups ( ) (?: ) (?<name> ), alternation |,
//   quantifiers * + ? {n} {n,} {n,m} (lazy forms too: laziness does not change
//   what matches), ^ at the very start and $ at the very end.
// Refused with a Status naming what and where: backreferences, lookaround,
// \b \B, \p{…} properties, ^ or $ elsewhere, bounds above kMaxRepetition,
// malformed syntax. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace fab::grammar {

enum class RegexContext {
  kText,        // the regex matches the whole output
  kJsonString,  // inside a JSON string's quotes: characters are written as JSON
                // does (a literal " or \ as its escape, control characters as \u00XX);
                // classes and . leave out ", \ and control characters
};

struct RegexGbnf {
  std::string expression;  // a GBNF expression (no rule references)
  bool anchored_start = false;  // the regex began with ^
  bool anchored_end = false;    // the regex ended with $
};

StatusOr<RegexGbnf> RegexToGbnf(std::string_view pattern, RegexContext context);

}  // namespace fab::grammar
