// Grammar: a context-free grammar over bytes, the form every front end
// (GBNF text, and later JSON Schema and regex) compiles to and the matcher
// (grammar/matcher.h) runs. Terminals are byte sets; a UTF-8 character
// class becomes alternatives of byte-set sequences (Utf8Sequences), so a
// grammar never admits a surrogate or an ill-formed sequence. Repetition and
// grouping are desugared into helper rules by the front ends. Plain data;
// Validate before matching.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace fab::grammar {

using ByteSet = std::bitset<256>;

struct Symbol {
  enum class Kind : uint8_t { kBytes, kRule };
  Kind kind = Kind::kBytes;
  uint32_t index = 0;  // into Grammar::byte_sets (kBytes) or Grammar::rules (kRule)

  bool operator==(const Symbol&) const = default;
};

// One rule: any of its alternatives, each a sequence of symbols (an empty
// alternative matches the empty string).
struct Rule {
  std::string name;
  std::vector<std::vector<Symbol>> alternatives;
};

struct Grammar {
  std::vector<ByteSet> byte_sets;
  std::vector<Rule> rules;
  uint32_t root = 0;
};

// Caps on what a grammar from outside may make us hold.
struct GrammarLimits {
  int64_t max_rules = 1 << 16;
  int64_t max_symbols = 1 << 20;  // over every alternative of every rule
};

// Checks that every symbol's index is in range, that no rule is
// left-recursive (directly, or through a prefix that can match nothing: the
// matcher would expand it forever), and the limits. The error names the rule.
Status Validate(const Grammar& grammar, const GrammarLimits& limits = {});

// Helps front ends build a Grammar: byte sets are shared, rules are made by
// name and filled later, and helper rules get unique names.
class GrammarBuilder {
 public:
  // The rule called `name`, made empty when new.
  uint32_t RuleNamed(std::string_view name);
  // A new empty rule named `base` plus a unique suffix that no GBNF rule
  // name can have ("~N"), so a rule defined later never collides with it.
  uint32_t NewHelperRule(std::string_view base);
  Rule& rule(uint32_t index) { return grammar_.rules[index]; }
  size_t n_rules() const { return grammar_.rules.size(); }
  bool HasRule(std::string_view name) const;

  Symbol Bytes(const ByteSet& set);
  static Symbol RuleRef(uint32_t index) { return Symbol{Symbol::Kind::kRule, index}; }
  // The bytes of `text`, one symbol each.
  void AppendLiteral(std::string_view text, std::vector<Symbol>& out);
  // A symbol matching one character whose code point lies in any of
  // `ranges` (inclusive pairs, surrogates never included): a byte set when
  // every character is one byte, else a helper rule over Utf8Sequences.
  Symbol CodePoints(const std::vector<std::pair<uint32_t, uint32_t>>& ranges);

  Grammar Finish(uint32_t root) &&;

 private:
  uint32_t AddRule(std::string name);

  Grammar grammar_;
  std::unordered_map<std::string, uint32_t> rule_index_;
  std::unordered_map<ByteSet, uint32_t> byte_set_index_;
  int64_t n_helpers_ = 0;
};

// The UTF-8 encodings of the code points lo..hi (surrogates excluded) as
// sequences of byte sets: a character is in the range exactly when its bytes
// match one of the sequences, position by position.
std::vector<std::vector<ByteSet>> Utf8Sequences(uint32_t lo, uint32_t hi);

}  // namespace fab::grammar
