#include "tokenizer/jinja/lexer.h"

#include <cctype>
#include <cstring>
#include <optional>

#include "tokenizer/jinja/python_string.h"

namespace fab::jinja {

Status SyntaxError(int line, int column, const std::string& message) {
  return InvalidArgumentError("template line " + std::to_string(line) + ":" + std::to_string(column) + ": " + message);
}

namespace {

// jinja2 normalizes every newline to "\n" and drops one trailing newline.
std::string NormalizeNewlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out.push_back(source[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool AllPythonSpace(std::string_view text) {
  if (text.empty()) return false;
  for (char32_t c : DecodeUtf8(text)) {
    if (!IsPythonSpace(c)) return false;
  }
  return true;
}

// Length of the run of Python whitespace at the start of `text`.
size_t LeadingSpaceBytes(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t n = 1;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0xC0) n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (i + n > text.size()) break;
    std::u32string cp = DecodeUtf8(text.substr(i, n));
    if (cp.size() != 1 || !IsPythonSpace(cp[0])) break;
    i += n;
  }
  return i;
}

const char* const kOperators[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
                                  "]",  "(",  ")",  "{",  "}",  "<",  ">", "=", ".", ":", "|", ",", ";"};

class Lexer {
 public:
  explicit Lexer(std::string source) : src_(std::move(source)) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < src_.size(); ++i) {
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  StatusOr<std::vector<Token>> Run() {
    size_t pos = 0;
    bool line_starting = true;
    while (pos < src_.size()) {
      size_t tag = FindTagStart(pos);
      if (tag == std::string::npos) {
        Emit(TokenKind::kText, src_.substr(pos), pos);
        break;
      }
      char type = src_[tag + 1];
      char sign = tag + 2 < src_.size() && (src_[tag + 2] == '-' || src_[tag + 2] == '+') ? src_[tag + 2] : '\0';
      std::string text = StripBeforeTag(src_.substr(pos, tag - pos), sign, type != '{', line_starting);
      if (!text.empty()) Emit(TokenKind::kText, std::move(text), pos);
      size_t body = tag + 2 + (sign != '\0' ? 1 : 0);
      if (type == '#') {
        FAB_ASSIGN_OR_RETURN(pos, SkipComment(tag, body));
      } else if (std::optional<size_t> raw_body = MatchRawBegin(body); type == '%' && raw_body) {
        FAB_ASSIGN_OR_RETURN(pos, ReadRaw(tag, *raw_body));
      } else {
        FAB_ASSIGN_OR_RETURN(pos, ReadTag(tag, body, type == '%'));
      }
      line_starting = pos > 0 && src_[pos - 1] == '\n';
    }
    Emit(TokenKind::kEnd, "", src_.size());
    return std::move(tokens_);
  }

 private:
  size_t FindTagStart(size_t pos) const {
    for (size_t i = src_.find('{', pos); i != std::string::npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    }
    return std::string::npos;
  }

  // `-` strips all whitespace before the tag; otherwise lstrip_blocks strips
  // the spaces between a line start and a block or comment tag.
  std::string StripBeforeTag(std::string text, char sign, bool lstrip_applies, bool line_starting) const {
    if (sign == '-') return PythonStrip(text, std::nullopt, false, true);
    if (sign == '+' || !lstrip_applies) return text;
    size_t newline = text.rfind('\n');
    size_t line_pos = newline == std::string::npos ? 0 : newline + 1;
    if ((line_pos > 0 || line_starting) && AllPythonSpace(std::string_view(text).substr(line_pos))) {
      text.resize(line_pos);
    }
    return text;
  }

  // After a tag's closing mark: `-` eats all following whitespace, a plain
  // close eats one newline when trim applies, `+` eats nothing.
  size_t AfterClose(size_t close_end, char sign, bool trim) const {
    if (sign == '-') return close_end + LeadingSpaceBytes(std::string_view(src_).substr(close_end));
    if (sign == '\0' && trim && close_end < src_.size() && src_[close_end] == '\n') return close_end + 1;
    return close_end;
  }

  StatusOr<size_t> SkipComment(size_t tag, size_t body) {
    size_t end = src_.find("#}", body);
    if (end == std::string::npos) return Error(tag, "Missing end of comment tag");
    char sign = end > body && (src_[end - 1] == '-' || src_[end - 1] == '+') ? src_[end - 1] : '\0';
    return AfterClose(end + 2, sign, true);
  }

  size_t SkipSpaces(size_t pos) const { return pos + LeadingSpaceBytes(std::string_view(src_).substr(pos)); }

  // `\s*raw\s*(-%}\s*|%})` after "{%[-+]": the position after it, if it matches.
  std::optional<size_t> MatchRawBegin(size_t body) const {
    size_t p = SkipSpaces(body);
    if (src_.compare(p, 3, "raw") != 0) return std::nullopt;
    p = SkipSpaces(p + 3);
    if (src_.compare(p, 3, "-%}") == 0) return SkipSpaces(p + 3);
    if (src_.compare(p, 2, "%}") == 0) return p + 2;
    return std::nullopt;
  }

  StatusOr<size_t> ReadRaw(size_t tag, size_t content) {
    for (size_t i = src_.find("{%", content); i != std::string::npos; i = src_.find("{%", i + 1)) {
      size_t p = i + 2;
      char sign = p < src_.size() && (src_[p] == '-' || src_[p] == '+') ? src_[p] : '\0';
      if (sign != '\0') ++p;
      p = SkipSpaces(p);
      if (src_.compare(p, 6, "endraw") != 0) continue;
      p = SkipSpaces(p + 6);
      char close_sign = '\0';
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) close_sign = src_[p++];
      if (src_.compare(p, 2, "%}") != 0) continue;
      bool line_starting = content > 0 && src_[content - 1] == '\n';
      std::string text = StripBeforeTag(src_.substr(content, i - content), sign, true, line_starting);
      if (!text.empty()) Emit(TokenKind::kText, std::move(text), content);
      return AfterClose(p + 2, close_sign, true);
    }
    return Error(tag, "Missing end of raw directive");
  }

  StatusOr<size_t> ReadTag(size_t tag, size_t pos, bool is_block) {
    Emit(is_block ? TokenKind::kBlockBegin : TokenKind::kVarBegin, "", tag);
    std::vector<char> brackets;
    while (true) {
      if (pos >= src_.size()) return Error(tag, is_block ? "unexpected end of template, block tag not closed"
                                                         : "unexpected end of template, expression not closed");
      if (brackets.empty()) {
        if (std::optional<size_t> after = MatchClose(pos, is_block)) {
          Emit(is_block ? TokenKind::kBlockEnd : TokenKind::kVarEnd, "", pos);
          return *after;
        }
      }
      size_t spaces = LeadingSpaceBytes(std::string_view(src_).substr(pos));
      if (spaces > 0) {
        pos += spaces;
        continue;
      }
      FAB_ASSIGN_OR_RETURN(pos, ReadExpressionToken(pos, &brackets));
    }
  }

  std::optional<size_t> MatchClose(size_t pos, bool is_block) const {
    const char* close = is_block ? "%}" : "}}";
    if (src_.compare(pos, 2, close) == 0) return AfterClose(pos + 2, '\0', is_block);
    if (src_[pos] == '-' && src_.compare(pos + 1, 2, close) == 0) return AfterClose(pos + 3, '-', is_block);
    if (is_block && src_[pos] == '+' && src_.compare(pos + 1, 2, close) == 0) return pos + 3;
    return std::nullopt;
  }

  StatusOr<size_t> ReadExpressionToken(size_t pos, std::vector<char>* brackets) {
    unsigned char c = static_cast<unsigned char>(src_[pos]);
    if (std::isdigit(c)) return ReadNumber(pos);
    if (std::isalpha(c) || c == '_') {
      size_t end = pos;
      while (end < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[end])) || src_[end] == '_')) ++end;
      Emit(TokenKind::kName, src_.substr(pos, end - pos), pos);
      return end;
    }
    if (c == '\'' || c == '"') return ReadString(pos);
    for (const char* op : kOperators) {
      size_t len = std::strlen(op);
      if (src_.compare(pos, len, op) != 0) continue;
      if (len == 1 && (c == '(' || c == '[' || c == '{')) brackets->push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
      if (len == 1 && (c == ')' || c == ']' || c == '}')) {
        if (brackets->empty()) return Error(pos, std::string("unexpected '") + static_cast<char>(c) + "'");
        if (brackets->back() != static_cast<char>(c)) {
          return Error(pos, std::string("unexpected '") + static_cast<char>(c) + "', expected '" + brackets->back() + "'");
        }
        brackets->pop_back();
      }
      Emit(TokenKind::kOperator, op, pos);
      return pos + len;
    }
    return Error(pos, "unexpected char " + Describe(pos));
  }

  std::string Describe(size_t pos) const {
    unsigned char c = static_cast<unsigned char>(src_[pos]);
    if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", c);
    return buf;
  }

  // Digits with single underscores between them; returns the end.
  size_t ScanDigits(size_t pos) const {
    size_t end = pos;
    while (end < src_.size() && std::isdigit(static_cast<unsigned char>(src_[end]))) {
      ++end;
      if (end + 1 < src_.size() && src_[end] == '_' && std::isdigit(static_cast<unsigned char>(src_[end + 1]))) ++end;
    }
    return end;
  }

  StatusOr<size_t> ReadNumber(size_t pos) {
    size_t end = ScanDigits(pos);
    bool is_float = false;
    bool after_dot = pos > 0 && src_[pos - 1] == '.';  // jinja2: no float right after '.'
    if (!after_dot) {
      size_t p = end;
      if (p + 1 < src_.size() && src_[p] == '.' && std::isdigit(static_cast<unsigned char>(src_[p + 1]))) {
        p = ScanDigits(p + 1);
        is_float = true;
      }
      size_t e = p;
      if (e < src_.size() && src_[e] == 'e') {
        ++e;
        if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
        if (e < src_.size() && std::isdigit(static_cast<unsigned char>(src_[e]))) {
          p = ScanDigits(e);
          is_float = true;
        }
      }
      if (is_float) end = p;
    }
    std::string text;
    for (size_t i = pos; i < end; ++i) {
      if (src_[i] != '_') text.push_back(src_[i]);
    }
    Emit(is_float ? TokenKind::kFloat : TokenKind::kInteger, std::move(text), pos);
    return end;
  }

  StatusOr<size_t> ReadString(size_t pos) {
    char quote = src_[pos];
    std::string value;
    size_t i = pos + 1;
    while (i < src_.size() && src_[i] != quote) {
      if (src_[i] != '\\') {
        value.push_back(src_[i++]);
        continue;
      }
      if (i + 1 >= src_.size()) break;
      FAB_ASSIGN_OR_RETURN(i, ReadEscape(i, &value));
    }
    if (i >= src_.size()) return Error(pos, std::string("unexpected char '") + quote + "'");
    Emit(TokenKind::kString, std::move(value), pos);
    return i + 1;
  }

  // Python's unicode-escape rules for the escape at src_[pos] == '\\'.
  StatusOr<size_t> ReadEscape(size_t pos, std::string* out) {
    char e = src_[pos + 1];
    switch (e) {
      case '\n': return pos + 2;
      case '\\': case '\'': case '"': out->push_back(e); return pos + 2;
      case 'a': out->push_back('\a'); return pos + 2;
      case 'b': out->push_back('\b'); return pos + 2;
      case 'f': out->push_back('\f'); return pos + 2;
      case 'n': out->push_back('\n'); return pos + 2;
      case 'r': out->push_back('\r'); return pos + 2;
      case 't': out->push_back('\t'); return pos + 2;
      case 'v': out->push_back('\v'); return pos + 2;
      default: break;
    }
    if (e >= '0' && e <= '7') {
      size_t p = pos + 1;
      uint32_t code = 0;
      for (int n = 0; n < 3 && p < src_.size() && src_[p] >= '0' && src_[p] <= '7'; ++n) code = code * 8 + (src_[p++] - '0');
      AppendUtf8(code, out);
      return p;
    }
    int hex_digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (hex_digits == 0) {  // unknown escapes keep the backslash
      out->push_back('\\');
      return pos + 1;
    }
    uint32_t code = 0;
    for (int n = 0; n < hex_digits; ++n) {
      size_t p = pos + 2 + static_cast<size_t>(n);
      if (p >= src_.size() || !std::isxdigit(static_cast<unsigned char>(src_[p]))) {
        return Error(pos, "truncated \\" + std::string(1, e) + " escape in string");
      }
      code = code * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(src_[p]))
                                                   ? src_[p] - '0'
                                                   : std::tolower(static_cast<unsigned char>(src_[p])) - 'a' + 10);
    }
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return Error(pos, "escape is not a Unicode scalar value");
    AppendUtf8(code, out);
    return pos + 2 + static_cast<size_t>(hex_digits);
  }

  void Emit(TokenKind kind, std::string text, size_t offset) {
    Token token{kind, std::move(text), 1, 1};
    Locate(offset, &token.line, &token.column);
    tokens_.push_back(std::move(token));
  }

  void Locate(size_t offset, int* line, int* column) const {
    size_t lo = 0, hi = line_starts_.size();
    while (hi - lo > 1) {
      size_t mid = (lo + hi) / 2;
      (line_starts_[mid] <= offset ? lo : hi) = mid;
    }
    *line = static_cast<int>(lo + 1);
    *column = static_cast<int>(offset - line_starts_[lo] + 1);
  }

  Status Error(size_t offset, const std::string& message) const {
    int line = 1, column = 1;
    Locate(offset, &line, &column);
    return SyntaxError(line, column, message);
  }

  std::string src_;
  std::vector<size_t> line_starts_;
  std::vector<Token> tokens_;
};

}  // namespace

StatusOr<std::vector<Token>> Tokenize(std::string_view source) {
  return Lexer(NormalizeNewlines(source)).Run();
}

}  // namespace fab::jinja
