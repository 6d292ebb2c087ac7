#include "grammar/grammar.h"

#include <algorithm>
#include <string>

#include "tokenizer/utf8.h"

namespace fab::grammar {
namespace {

int Utf8Length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

// Splits lo..hi until both ends have the same encoded length and every
// continuation position spans a whole or a contiguous range, then emits one
// sequence of byte ranges (the utf8-ranges construction).
void SplitRange(uint32_t lo, uint32_t hi, std::vector<std::vector<ByteSet>>& out) {
  if (lo > hi) return;
  if (lo <= 0xDFFF && hi >= 0xD800) {  // surrogates are not characters
    if (lo < 0xD800) SplitRange(lo, 0xD7FF, out);
    if (hi > 0xDFFF) SplitRange(0xE000, hi, out);
    return;
  }
  for (uint32_t max : {0x7Fu, 0x7FFu, 0xFFFFu}) {
    if (lo <= max && hi > max) {
      SplitRange(lo, max, out);
      SplitRange(max + 1, hi, out);
      return;
    }
  }
  const int n = Utf8Length(lo);
  for (int i = 1; i < n; ++i) {
    const uint32_t m = (1u << (6 * i)) - 1;
    if ((lo & ~m) != (hi & ~m)) {
      if ((lo & m) != 0) {
        SplitRange(lo, lo | m, out);
        SplitRange((lo | m) + 1, hi, out);
        return;
      }
      if ((hi & m) != m) {
        SplitRange(lo, (hi & ~m) - 1, out);
        SplitRange(hi & ~m, hi, out);
        return;
      }
    }
  }
  std::string a, b;
  AppendUtf8(lo, &a);
  AppendUtf8(hi, &b);
  std::vector<ByteSet> sequence(static_cast<size_t>(n));
  for (size_t k = 0; k < sequence.size(); ++k) {
    for (int byte = static_cast<uint8_t>(a[k]); byte <= static_cast<uint8_t>(b[k]); ++byte) {
      sequence[k].set(static_cast<size_t>(byte));
    }
  }
  out.push_back(std::move(sequence));
}

}  // namespace

std::vector<std::vector<ByteSet>> Utf8Sequences(uint32_t lo, uint32_t hi) {
  std::vector<std::vector<ByteSet>> out;
  SplitRange(lo, std::min<uint32_t>(hi, 0x10FFFF), out);
  return out;
}

Status Validate(const Grammar& grammar, const GrammarLimits& limits) {
  const size_t n_rules = grammar.rules.size();
  if (n_rules == 0) return InvalidArgumentError("the grammar has no rules");
  if (static_cast<int64_t>(n_rules) > limits.max_rules) {
    return InvalidArgumentError("the grammar has " + std::to_string(n_rules) + " rules, more than " +
                                std::to_string(limits.max_rules));
  }
  if (grammar.root >= n_rules) return InvalidArgumentError("the grammar's root rule does not exist");
  int64_t n_symbols = 0;
  for (const Rule& rule : grammar.rules) {
    for (const std::vector<Symbol>& alternative : rule.alternatives) {
      n_symbols += static_cast<int64_t>(alternative.size()) + 1;
      for (const Symbol& symbol : alternative) {
        const size_t bound = symbol.kind == Symbol::Kind::kBytes ? grammar.byte_sets.size() : n_rules;
        if (symbol.index >= bound) return InvalidArgumentError("rule '" + rule.name + "' refers past the grammar");
      }
    }
    if (rule.alternatives.empty()) return InvalidArgumentError("rule '" + rule.name + "' has no alternatives");
  }
  if (n_symbols > limits.max_symbols) {
    return InvalidArgumentError("the grammar has " + std::to_string(n_symbols) + " symbols, more than " +
                                std::to_string(limits.max_symbols));
  }

  // Nullable rules (can match ""), to a fixed point.
  std::vector<bool> nullable(n_rules, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < n_rules; ++r) {
      if (nullable[r]) continue;
      for (const std::vector<Symbol>& alternative : grammar.rules[r].alternatives) {
        const bool all_nullable = std::all_of(alternative.begin(), alternative.end(), [&](const Symbol& s) {
          return s.kind == Symbol::Kind::kRule && nullable[s.index];
        });
        if (all_nullable) {
          nullable[r] = changed = true;
          break;
        }
      }
    }
  }
  // r -> s when s can be the first thing r expands to; a cycle is left recursion.
  std::vector<std::vector<uint32_t>> leftmost(n_rules);
  for (size_t r = 0; r < n_rules; ++r) {
    for (const std::vector<Symbol>& alternative : grammar.rules[r].alternatives) {
      for (const Symbol& symbol : alternative) {
        if (symbol.kind != Symbol::Kind::kRule) break;
        leftmost[r].push_back(symbol.index);
        if (!nullable[symbol.index]) break;
      }
    }
  }
  enum Color : uint8_t { kWhite, kGrey, kBlack };
  std::vector<Color> color(n_rules, kWhite);
  std::vector<std::pair<uint32_t, size_t>> stack;  // (rule, next edge), iterative DFS
  for (uint32_t start = 0; start < n_rules; ++start) {
    if (color[start] != kWhite) continue;
    stack.push_back({start, 0});
    color[start] = kGrey;
    while (!stack.empty()) {
      auto& [rule, edge] = stack.back();
      if (edge == leftmost[rule].size()) {
        color[rule] = kBlack;
        stack.pop_back();
        continue;
      }
      const uint32_t next = leftmost[rule][edge++];
      if (color[next] == kGrey) {
        return InvalidArgumentError("rule '" + grammar.rules[next].name +
                                    "' is left-recursive (it can expand to itself before matching a byte)");
      }
      if (color[next] == kWhite) {
        color[next] = kGrey;
        stack.push_back({next, 0});
      }
    }
  }
  return OkStatus();
}

uint32_t GrammarBuilder::AddRule(std::string name) {
  const auto index = static_cast<uint32_t>(grammar_.rules.size());
  rule_index_.emplace(name, index);
  grammar_.rules.push_back(Rule{std::move(name), {}});
  return index;
}

uint32_t GrammarBuilder::RuleNamed(std::string_view name) {
  const auto found = rule_index_.find(std::string(name));
  return found != rule_index_.end() ? found->second : AddRule(std::string(name));
}

bool GrammarBuilder::HasRule(std::string_view name) const { return rule_index_.count(std::string(name)) > 0; }

uint32_t GrammarBuilder::NewHelperRule(std::string_view base) {
  std::string name;
  do {
    name = std::string(base) + "~" + std::to_string(++n_helpers_);  // '~' is never in a GBNF name
  } while (HasRule(name));
  return AddRule(std::move(name));
}

Symbol GrammarBuilder::Bytes(const ByteSet& set) {
  const auto [it, inserted] = byte_set_index_.emplace(set, static_cast<uint32_t>(grammar_.byte_sets.size()));
  if (inserted) grammar_.byte_sets.push_back(set);
  return Symbol{Symbol::Kind::kBytes, it->second};
}

void GrammarBuilder::AppendLiteral(std::string_view text, std::vector<Symbol>& out) {
  for (unsigned char c : text) {
    ByteSet set;
    set.set(c);
    out.push_back(Bytes(set));
  }
}

Symbol GrammarBuilder::CodePoints(const std::vector<std::pair<uint32_t, uint32_t>>& ranges) {
  ByteSet ascii;
  std::vector<std::vector<ByteSet>> wide;
  for (auto [lo, hi] : ranges) {
    for (uint32_t c = lo; c <= std::min<uint32_t>(hi, 0x7F); ++c) ascii.set(c);
    if (hi >= 0x80) {
      for (std::vector<ByteSet>& sequence : Utf8Sequences(std::max<uint32_t>(lo, 0x80), hi)) {
        wide.push_back(std::move(sequence));
      }
    }
  }
  if (wide.empty()) return Bytes(ascii);
  const uint32_t rule = NewHelperRule("char");
  std::vector<std::vector<Symbol>> alternatives;
  if (ascii.any()) alternatives.push_back({Bytes(ascii)});
  for (const std::vector<ByteSet>& sequence : wide) {
    std::vector<Symbol> alternative;
    for (const ByteSet& set : sequence) alternative.push_back(Bytes(set));
    alternatives.push_back(std::move(alternative));
  }
  grammar_.rules[rule].alternatives = std::move(alternatives);
  return RuleRef(rule);
}

Grammar GrammarBuilder::Finish(uint32_t root) && {
  grammar_.root = root;
  return std::move(grammar_);
}

}  // namespace fab::grammar
