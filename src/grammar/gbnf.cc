#include "grammar/gbnf.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/utf8.h"

namespace fab::grammar {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

class GbnfParser {
 public:
  GbnfParser(std::string_view text, const GrammarLimits& limits) : text_(text), limits_(limits) {}

  StatusOr<Grammar> Parse() {
    SkipSpace(true);
    while (!AtEnd()) {
      FAB_RETURN_IF_ERROR(ParseRule());
      SkipSpace(true);
    }
    for (const auto& [name, where] : first_reference_) {
      if (!defined_.count(name)) return Error("rule '" + name + "' is used but never defined", where);
    }
    if (!builder_.HasRule("root")) return ErrorHere("the grammar has no 'root' rule");
    const uint32_t root = builder_.RuleNamed("root");
    Grammar grammar = std::move(builder_).Finish(root);
    if (Status valid = Validate(grammar, limits_); !valid.ok()) return InvalidArgumentError("GBNF: " + valid.message());
    return grammar;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

  Status Error(const std::string& message, size_t where) const {
    int line = 1, column = 1;
    for (size_t i = 0; i < where && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return InvalidArgumentError("GBNF line " + std::to_string(line) + " column " + std::to_string(column) + ": " +
                                message);
  }
  Status ErrorHere(const std::string& message) const { return Error(message, pos_); }

  // Spaces, tabs, comments, and newlines when `newlines` (a \r\n counts).
  void SkipSpace(bool newlines) {
    while (!AtEnd()) {
      const char c = Peek();
      if (c == ' ' || c == '\t') {
        ++pos_;
      } else if (c == '#') {
        while (!AtEnd() && Peek() != '\n') ++pos_;
      } else if (newlines && (c == '\n' || c == '\r')) {
        ++pos_;
      } else {
        return;
      }
    }
  }

  std::string ParseName() {
    const size_t start = pos_;
    while (!AtEnd() && IsNameChar(Peek())) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  Status ParseRule() {
    const size_t start = pos_;
    const std::string name = ParseName();
    if (name.empty()) return ErrorHere("expected a rule name");
    if (defined_.count(name)) return Error("rule '" + name + "' is defined twice", start);
    defined_.insert({name, start});
    SkipSpace(false);
    if (text_.substr(pos_, 3) != "::=") return ErrorHere("expected '::=' after the rule name '" + name + "'");
    pos_ += 3;
    SkipSpace(true);
    const uint32_t rule = builder_.RuleNamed(name);
    FAB_ASSIGN_OR_RETURN(auto alternatives, ParseAlternatives(name, false));
    builder_.rule(rule).alternatives = std::move(alternatives);
    SkipSpace(false);
    if (!AtEnd() && Peek() != '\n' && Peek() != '\r') return ErrorHere("expected the end of the line");
    return OkStatus();
  }

  StatusOr<std::vector<std::vector<Symbol>>> ParseAlternatives(const std::string& rule_name, bool nested) {
    std::vector<std::vector<Symbol>> alternatives;
    FAB_ASSIGN_OR_RETURN(std::vector<Symbol> first, ParseSequence(rule_name, nested));
    alternatives.push_back(std::move(first));
    while (Peek() == '|') {
      ++pos_;
      SkipSpace(true);
      FAB_ASSIGN_OR_RETURN(std::vector<Symbol> next, ParseSequence(rule_name, nested));
      alternatives.push_back(std::move(next));
    }
    return alternatives;
  }

  StatusOr<std::vector<Symbol>> ParseSequence(const std::string& rule_name, bool nested) {
    std::vector<Symbol> sequence;
    std::optional<size_t> last_start;  // where the last element's symbols begin
    while (!AtEnd()) {
      const char c = Peek();
      const size_t element_start = sequence.size();
      if (c == '"') {
        ++pos_;
        FAB_ASSIGN_OR_RETURN(std::string bytes, ParseLiteral());
        builder_.AppendLiteral(bytes, sequence);
        last_start = element_start;
      } else if (c == '[') {
        ++pos_;
        FAB_ASSIGN_OR_RETURN(auto ranges, ParseClass());
        sequence.push_back(builder_.CodePoints(ranges));
        last_start = element_start;
      } else if (c == '.') {
        ++pos_;
        sequence.push_back(builder_.CodePoints({{0, 0x10FFFF}}));
        last_start = element_start;
      } else if (IsNameChar(c)) {
        const size_t where = pos_;
        const std::string name = ParseName();
        first_reference_.insert({name, where});
        sequence.push_back(GrammarBuilder::RuleRef(builder_.RuleNamed(name)));
        last_start = element_start;
      } else if (c == '(') {
        ++pos_;
        SkipSpace(true);
        const uint32_t group = builder_.NewHelperRule(rule_name);
        FAB_ASSIGN_OR_RETURN(auto alternatives, ParseAlternatives(rule_name, true));
        builder_.rule(group).alternatives = std::move(alternatives);
        if (Peek() != ')') return ErrorHere("expected ')'");
        ++pos_;
        sequence.push_back(GrammarBuilder::RuleRef(group));
        last_start = element_start;
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (!last_start) return ErrorHere(std::string("'") + c + "' has nothing before it to repeat");
        int64_t min = 0, max = -1;
        ++pos_;
        if (c == '+') min = 1;
        if (c == '?') max = 1;
        if (c == '{') {
          FAB_RETURN_IF_ERROR(ParseBounds(&min, &max));
        }
        FAB_RETURN_IF_ERROR(Repeat(rule_name, *last_start, min, max, sequence));
        last_start.reset();
      } else if (c == '<' || (c == '!' && Peek(1) == '<')) {
        return ErrorHere("token references (<[id]>) are not supported; write the text instead");
      } else {
        break;
      }
      SkipSpace(nested);
    }
    return sequence;
  }

  // After '{': m}, m,}, or m,n}.
  Status ParseBounds(int64_t* min, int64_t* max) {
    SkipSpace(false);
    FAB_ASSIGN_OR_RETURN(*min, ParseCount());
    SkipSpace(false);
    *max = *min;
    if (Peek() == ',') {
      ++pos_;
      SkipSpace(false);
      *max = -1;
      if (Peek() != '}') {
        FAB_ASSIGN_OR_RETURN(*max, ParseCount());
      }
      SkipSpace(false);
    }
    if (Peek() != '}') return ErrorHere("expected '}' to close the repetition");
    ++pos_;
    if (*max >= 0 && *max < *min) return ErrorHere("a repetition's maximum is below its minimum");
    return OkStatus();
  }

  StatusOr<int64_t> ParseCount() {
    const size_t start = pos_;
    int64_t value = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      value = value * 10 + (Peek() - '0');
      ++pos_;
      if (value > kMaxRepetition) return Error("a repetition count above " + std::to_string(kMaxRepetition), start);
    }
    if (pos_ == start) return ErrorHere("expected a repetition count");
    return value;
  }

  // Replaces sequence[from..] (one element) by it repeated min..max times
  // (max < 0: unbounded), through helper rules.
  Status Repeat(const std::string& rule_name, size_t from, int64_t min, int64_t max, std::vector<Symbol>& sequence) {
    n_repeated_ += std::max(min, max) + 1;
    const int64_t new_rules = (max < 0 ? 1 : max - min) + 1;
    if (n_repeated_ > limits_.max_symbols || static_cast<int64_t>(builder_.n_rules()) + new_rules > limits_.max_rules) {
      return ErrorHere("repetitions expand past the grammar's size limit");
    }
    std::vector<Symbol> element(sequence.begin() + static_cast<std::ptrdiff_t>(from), sequence.end());
    sequence.resize(from);
    Symbol item = element.size() == 1 ? element[0] : Symbol{};
    if (element.size() != 1) {
      const uint32_t wrapped = builder_.NewHelperRule(rule_name);
      builder_.rule(wrapped).alternatives = {element};
      item = GrammarBuilder::RuleRef(wrapped);
    }
    for (int64_t i = 0; i < min; ++i) sequence.push_back(item);
    if (max < 0) {  // star ::= item star | ""
      const uint32_t star = builder_.NewHelperRule(rule_name);
      builder_.rule(star).alternatives = {{item, GrammarBuilder::RuleRef(star)}, {}};
      sequence.push_back(GrammarBuilder::RuleRef(star));
      return OkStatus();
    }
    std::optional<Symbol> rest;  // opt_k ::= item opt_{k-1} | ""
    for (int64_t i = min; i < max; ++i) {
      const uint32_t optional = builder_.NewHelperRule(rule_name);
      std::vector<Symbol> first = {item};
      if (rest) first.push_back(*rest);
      builder_.rule(optional).alternatives = {std::move(first), {}};
      rest = GrammarBuilder::RuleRef(optional);
    }
    if (rest) sequence.push_back(*rest);
    return OkStatus();
  }

  // One code point of the text (validated UTF-8).
  uint32_t NextCodePoint() {
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(text_[pos_ + i]); };
    const uint8_t b0 = byte(0);
    uint32_t cp;
    size_t n;
    if (b0 < 0x80) {
      cp = b0, n = 1;
    } else if (b0 < 0xE0) {
      cp = ((b0 & 0x1Fu) << 6) | (byte(1) & 0x3Fu), n = 2;
    } else if (b0 < 0xF0) {
      cp = ((b0 & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu), n = 3;
    } else {
      cp = ((b0 & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) | ((byte(2) & 0x3Fu) << 6) | (byte(3) & 0x3Fu), n = 4;
    }
    pos_ += n;
    return cp;
  }

  StatusOr<uint32_t> ParseHex(int digits) {
    uint32_t value = 0;
    for (int i = 0; i < digits; ++i) {
      const char c = Peek();
      int v;
      if (c >= '0' && c <= '9') {
        v = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
      } else {
        return ErrorHere("expected " + std::to_string(digits) + " hex digits");
      }
      value = value * 16 + static_cast<uint32_t>(v);
      ++pos_;
    }
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return ErrorHere("an escape that is not a character");
    return value;
  }

  // One character of a literal or class, after any escape.
  StatusOr<uint32_t> ParseChar() {
    if (AtEnd()) return ErrorHere("unexpected end of the grammar");
    if (Peek() != '\\') return NextCodePoint();
    ++pos_;
    const char c = Peek();
    ++pos_;
    switch (c) {
      case 'n': return uint32_t{'\n'};
      case 'r': return uint32_t{'\r'};
      case 't': return uint32_t{'\t'};
      case '\\': case '"': case '[': case ']': case '/': case '-': case '^': return static_cast<uint32_t>(c);
      case 'x': return ParseHex(2);
      case 'u': return ParseHex(4);
      case 'U': return ParseHex(8);
      default:
        --pos_;
        return ErrorHere(std::string("unknown escape '\\") + c + "'");
    }
  }

  // After the opening quote: the literal's bytes (UTF-8).
  StatusOr<std::string> ParseLiteral() {
    std::string bytes;
    while (Peek() != '"') {
      if (AtEnd() || Peek() == '\n') return ErrorHere("unterminated string literal");
      FAB_ASSIGN_OR_RETURN(uint32_t cp, ParseChar());
      AppendUtf8(cp, &bytes);
    }
    ++pos_;
    return bytes;
  }

  // After '[': the class's code point ranges, complemented for [^...].
  StatusOr<std::vector<std::pair<uint32_t, uint32_t>>> ParseClass() {
    const bool negated = Peek() == '^';
    if (negated) ++pos_;
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    while (Peek() != ']') {
      if (AtEnd() || Peek() == '\n') return ErrorHere("unterminated character class");
      FAB_ASSIGN_OR_RETURN(uint32_t lo, ParseChar());
      uint32_t hi = lo;
      if (Peek() == '-' && Peek(1) != ']' && Peek(1) != '\0') {
        ++pos_;
        FAB_ASSIGN_OR_RETURN(hi, ParseChar());
        if (hi < lo) return ErrorHere("a character range runs backwards");
      }
      ranges.push_back({lo, hi});
    }
    ++pos_;
    if (!negated) return ranges;
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<uint32_t, uint32_t>> complement;
    uint32_t next = 0;
    for (auto [lo, hi] : ranges) {
      if (lo > next) complement.push_back({next, lo - 1});
      next = std::max(next, hi + 1);
    }
    if (next <= 0x10FFFF) complement.push_back({next, 0x10FFFF});
    return complement;
  }

  std::string_view text_;
  const GrammarLimits& limits_;
  size_t pos_ = 0;
  int64_t n_repeated_ = 0;  // symbols repetition has added, against limits_
  GrammarBuilder builder_;
  std::unordered_map<std::string, size_t> defined_;          // name -> where
  std::unordered_map<std::string, size_t> first_reference_;  // name -> where
};

}  // namespace

std::string GbnfLiteral(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (unsigned char c : bytes) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}


StatusOr<Grammar> ParseGbnf(std::string_view text, const GrammarLimits& limits) {
  size_t bad = 0;
  if (!IsValidUtf8(text, &bad)) {
    return InvalidArgumentError("GBNF: the grammar is not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  return GbnfParser(text, limits).Parse();
}

}  // namespace fab::grammar
