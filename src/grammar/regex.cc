#include "grammar/regex.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "grammar/gbnf.h"
#include "tokenizer/utf8.h"

namespace fab::grammar {
namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;  // inclusive, sorted, disjoint after Normalize

constexpr uint32_t kMaxCodePoint = 0x10FFFF;

Ranges Normalize(Ranges ranges) {
  std::sort(ranges.begin(), ranges.end());
  Ranges out;
  for (const auto& [lo, hi] : ranges) {
    if (!out.empty() && lo <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

Ranges Complement(const Ranges& ranges) {
  Ranges out;
  uint32_t next = 0;
  for (const auto& [lo, hi] : Normalize(ranges)) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  if (next <= kMaxCodePoint) out.emplace_back(next, kMaxCodePoint);
  return out;
}

Ranges Subtract(const Ranges& ranges, const Ranges& removed) {
  // a − b = ¬(¬a ∪ b)
  Ranges either = Complement(ranges);
  either.insert(either.end(), removed.begin(), removed.end());
  return Complement(either);
}

const Ranges kDigits = {{'0', '9'}};
const Ranges kWord = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
// ECMAScript's white space and line terminators.
const Ranges kSpace = {{'\t', '\r'}, {' ', ' '}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                       {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
const Ranges kLineBreaks = {{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}};
// What a JSON string cannot hold as itself.
const Ranges kJsonEscaped = {{0, 0x1F}, {'"', '"'}, {'\\', '\\'}};

std::string Hex8(uint32_t cp) {
  char buffer[11];
  std::snprintf(buffer, sizeof(buffer), "\\U%08X", cp);
  return buffer;
}

class RegexParser {
 public:
  RegexParser(std::string_view pattern, RegexContext context) : pattern_(pattern), context_(context) {}

  StatusOr<RegexGbnf> Parse() {
    RegexGbnf out;
    if (!pattern_.empty() && pattern_[0] == '^') {
      out.anchored_start = true;
      pos_ = 1;
    }
    if (pattern_.size() > pos_ && pattern_.back() == '$' && !EscapedAt(pattern_.size() - 1)) {
      out.anchored_end = true;
      end_ = pattern_.size() - 1;
    } else {
      end_ = pattern_.size();
    }
    FAB_ASSIGN_OR_RETURN(out.expression, Alternation());
    if (pos_ < end_) return Error(pattern_[pos_] == ')' ? "an unmatched ')'" : "unexpected text");
    return out;
  }

 private:
  // Whether the character at `at` is escaped by an odd run of backslashes before it.
  bool EscapedAt(size_t at) const {
    size_t n = 0;
    while (at > n && pattern_[at - n - 1] == '\\') ++n;
    return n % 2 == 1;
  }

  Status Error(const std::string& what) const {
    return InvalidArgumentError("regex at offset " + std::to_string(pos_) + ": " + what);
  }

  bool AtEnd() const { return pos_ >= end_; }
  char Peek() const { return AtEnd() ? '\0' : pattern_[pos_]; }

  StatusOr<std::string> Alternation() {
    std::vector<std::string> branches;
    while (true) {
      FAB_ASSIGN_OR_RETURN(std::string branch, Sequence());
      branches.push_back(branch.empty() ? "\"\"" : branch);
      if (Peek() != '|') break;
      ++pos_;
    }
    if (branches.size() == 1) return branches[0];
    std::string out = "(";
    for (size_t i = 0; i < branches.size(); ++i) out += (i ? " | " : " ") + branches[i];
    return out + " )";
  }

  StatusOr<std::string> Sequence() {
    std::string out;
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      if (++depth_ > 256) return Error("the regex nests too deeply");
      FAB_ASSIGN_OR_RETURN(std::string atom, Atom());
      FAB_ASSIGN_OR_RETURN(std::string quantified, Quantifier(std::move(atom)));
      --depth_;
      out += (out.empty() ? "" : " ") + quantified;
    }
    return out;
  }

  StatusOr<std::string> Quantifier(std::string atom) {
    std::string suffix;
    const char c = Peek();
    if (c == '*' || c == '+' || c == '?') {
      ++pos_;
      suffix = std::string(1, c);
    } else if (c == '{' && BraceIsQuantifier()) {
      ++pos_;
      FAB_ASSIGN_OR_RETURN(int64_t lo, Number());
      int64_t hi = lo;
      bool open = false;
      if (Peek() == ',') {
        ++pos_;
        if (Peek() == '}') {
          open = true;
        } else {
          FAB_ASSIGN_OR_RETURN(hi, Number());
        }
      }
      if (Peek() != '}') return Error("a malformed {m,n} quantifier");
      ++pos_;
      if (!open && hi < lo) return Error("a {m,n} quantifier with n < m");
      suffix = "{" + std::to_string(lo) + (open ? "," : (hi == lo ? "" : "," + std::to_string(hi))) + "}";
    } else {
      return atom;
    }
    if (Peek() == '?') ++pos_;  // lazy: the same strings match
    const char next = Peek();
    if (next == '*' || next == '+' || next == '?' || (next == '{' && BraceIsQuantifier())) {
      return Error("a quantifier follows a quantifier");
    }
    return "( " + atom + " )" + suffix;
  }

  bool BraceIsQuantifier() const {
    size_t at = pos_ + 1;
    bool digits = false;
    while (at < end_ && pattern_[at] >= '0' && pattern_[at] <= '9') ++at, digits = true;
    return digits && at < end_ && (pattern_[at] == '}' || pattern_[at] == ',');
  }

  StatusOr<int64_t> Number() {
    int64_t value = 0;
    bool any = false;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
      value = std::min<int64_t>(value * 10 + (Peek() - '0'), kMaxRepetition + 1);
      ++pos_;
      any = true;
    }
    if (!any) return Error("a quantifier bound is not a number");
    if (value > kMaxRepetition) return Error("a quantifier bound above " + std::to_string(kMaxRepetition));
    return value;
  }

  StatusOr<std::string> Atom() {
    const char c = Peek();
    if (c == '(') return Group();
    if (c == '[') return ClassAtom();
    if (c == '.') {
      ++pos_;
      return Class(Complement(kLineBreaks));
    }
    if (c == '^' || c == '$') return Error(std::string("'") + c + "' is supported only at the very start or end");
    if (c == '*' || c == '+' || c == '?') return Error("a quantifier with nothing to repeat");
    if (c == '\\') {
      ++pos_;
      FAB_ASSIGN_OR_RETURN(Ranges ranges, Escape(/*in_class=*/false));
      return ranges.size() == 1 && ranges[0].first == ranges[0].second ? Literal(ranges[0].first) : Class(ranges);
    }
    FAB_ASSIGN_OR_RETURN(uint32_t cp, NextCodePoint());
    return Literal(cp);
  }

  StatusOr<std::string> Group() {
    ++pos_;
    if (Peek() == '?') {
      ++pos_;
      if (Peek() == ':') {
        ++pos_;
      } else if (Peek() == '<' && pos_ + 1 < end_ && pattern_[pos_ + 1] != '=' && pattern_[pos_ + 1] != '!') {
        const size_t close = pattern_.find('>', pos_);
        if (close == std::string_view::npos || close >= end_) return Error("an unterminated group name");
        pos_ = close + 1;
      } else {
        return Error("lookaround and inline flags are not supported");
      }
    }
    FAB_ASSIGN_OR_RETURN(std::string inside, Alternation());
    if (Peek() != ')') return Error("an unclosed group");
    ++pos_;
    return "( " + (inside.empty() ? std::string("\"\"") : inside) + " )";
  }

  StatusOr<std::string> ClassAtom() {
    ++pos_;
    bool negated = false;
    if (Peek() == '^') {
      negated = true;
      ++pos_;
    }
    Ranges ranges;
    bool first = true;
    while (true) {
      if (AtEnd()) return Error("an unclosed character class");
      if (Peek() == ']' && !first) break;
      first = false;
      FAB_ASSIGN_OR_RETURN(Ranges lo, ClassMember());
      if (Peek() == '-' && pos_ + 1 < end_ && pattern_[pos_ + 1] != ']') {
        ++pos_;
        FAB_ASSIGN_OR_RETURN(Ranges hi, ClassMember());
        if (lo.size() != 1 || hi.size() != 1 || lo[0].first != lo[0].second || hi[0].first != hi[0].second) {
          return Error("a class range between a set and a character");
        }
        if (hi[0].first < lo[0].first) return Error("a class range out of order");
        ranges.emplace_back(lo[0].first, hi[0].first);
      } else {
        ranges.insert(ranges.end(), lo.begin(), lo.end());
      }
    }
    ++pos_;
    return Class(negated ? Complement(ranges) : ranges);
  }

  StatusOr<Ranges> ClassMember() {
    if (Peek() == '\\') {
      ++pos_;
      return Escape(/*in_class=*/true);
    }
    FAB_ASSIGN_OR_RETURN(uint32_t cp, NextCodePoint());
    return Ranges{{cp, cp}};
  }

  // After a backslash: the characters the escape stands for.
  StatusOr<Ranges> Escape(bool in_class) {
    if (AtEnd()) return Error("a trailing backslash");
    const char c = pattern_[pos_++];
    switch (c) {
      case 'd': return kDigits;
      case 'D': return Complement(kDigits);
      case 'w': return kWord;
      case 'W': return Complement(kWord);
      case 's': return kSpace;
      case 'S': return Complement(kSpace);
      case 'n': return Ranges{{'\n', '\n'}};
      case 't': return Ranges{{'\t', '\t'}};
      case 'r': return Ranges{{'\r', '\r'}};
      case 'f': return Ranges{{'\f', '\f'}};
      case 'v': return Ranges{{'\v', '\v'}};
      case '0': return Ranges{{0, 0}};
      case 'x': {
        FAB_ASSIGN_OR_RETURN(uint32_t cp, Hex(2));
        return Ranges{{cp, cp}};
      }
      case 'u': {
        FAB_ASSIGN_OR_RETURN(uint32_t cp, Hex(4));
        return Ranges{{cp, cp}};
      }
      case 'b':
        if (in_class) return Ranges{{'\b', '\b'}};
        return Error("\\b (a word boundary) is not supported");
      case 'B': return Error("\\B is not supported");
      case 'p':
      case 'P': return Error("Unicode property escapes (\\p{…}) are not supported");
      case 'k': return Error("named backreferences are not supported");
      default: break;
    }
    if (c >= '1' && c <= '9') return Error("backreferences are not supported");
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return Error(std::string("the escape \\") + c + " is not supported");
    --pos_;
    FAB_ASSIGN_OR_RETURN(uint32_t cp, NextCodePoint());  // escaped punctuation or any other character: itself
    return Ranges{{cp, cp}};
  }

  StatusOr<uint32_t> Hex(int digits) {
    uint32_t value = 0;
    for (int i = 0; i < digits; ++i) {
      if (AtEnd()) return Error("a short hex escape");
      const char c = pattern_[pos_++];
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (digit < 0) return Error("a malformed hex escape");
      value = value * 16 + static_cast<uint32_t>(digit);
    }
    if (value >= 0xD800 && value <= 0xDFFF) return Error("a surrogate code point");
    return value;
  }

  StatusOr<uint32_t> NextCodePoint() {
    const std::string_view rest = pattern_.substr(pos_, end_ - pos_);
    if (rest.empty()) return Error("unexpected end");
    const Utf8Step step = ScanUtf8Char(rest);
    if (step.scan != Utf8Scan::kComplete) return Error("the regex is not valid UTF-8");
    const int n = static_cast<int>(step.length);
    uint32_t cp = static_cast<unsigned char>(rest[0]);
    if (n > 1) {
      cp &= 0xFFu >> (n + 1);
      for (int i = 1; i < n; ++i) cp = (cp << 6) | (static_cast<unsigned char>(rest[static_cast<size_t>(i)]) & 0x3F);
    }
    pos_ += static_cast<size_t>(n);
    return cp;
  }

  // One character as the output holds it (a JSON escape inside a JSON string).
  std::string Literal(uint32_t cp) const {
    std::string bytes;
    if (context_ == RegexContext::kJsonString && (cp < 0x20 || cp == '"' || cp == '\\')) {
      char buffer[8];
      if (cp == '"' || cp == '\\') {
        bytes = std::string("\\") + static_cast<char>(cp);
      } else {
        std::snprintf(buffer, sizeof(buffer), "\\u%04X", cp);
        bytes = buffer;
      }
    } else {
      AppendUtf8(static_cast<char32_t>(cp), &bytes);
    }
    return GbnfLiteral(bytes);
  }

  StatusOr<std::string> Class(Ranges ranges) const {
    if (context_ == RegexContext::kJsonString) ranges = Subtract(ranges, kJsonEscaped);
    ranges = Subtract(ranges, {{0xD800, 0xDFFF}});
    if (ranges.empty()) return Error("a character class that matches no character this output can hold");
    std::string out = "[";
    for (const auto& [lo, hi] : Normalize(ranges)) out += lo == hi ? Hex8(lo) : Hex8(lo) + "-" + Hex8(hi);
    return out + "]";
  }

  std::string_view pattern_;
  const RegexContext context_;
  size_t pos_ = 0;
  size_t end_ = 0;
  int depth_ = 0;
};

}  // namespace

StatusOr<RegexGbnf> RegexToGbnf(std::string_view pattern, RegexContext context) {
  return RegexParser(pattern, context).Parse();
}

}  // namespace fab::grammar
