#include "tokenizer/jinja/python_string.h"

#include <utf8proc.h>

#include <algorithm>

#include "tokenizer/utf8.h"

namespace fab::jinja {

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                          static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (n <= 0) {  // not reached for valid input; keep the byte so nothing is lost
      out.push_back(static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    out.push_back(static_cast<char32_t>(cp));
    i += static_cast<size_t>(n);
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) AppendUtf8(c, &out);
  return out;
}

size_t CodePointCount(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool IsPythonSpace(char32_t c) {
  if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return true;
  if (c < 0x80) return false;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string PythonStrip(std::string_view text, const std::optional<std::string>& chars, bool left, bool right) {
  std::u32string s = DecodeUtf8(text);
  std::u32string set = chars ? DecodeUtf8(*chars) : std::u32string();
  auto strip_this = [&](char32_t c) { return chars ? set.find(c) != std::u32string::npos : IsPythonSpace(c); };
  size_t begin = 0, end = s.size();
  if (left) while (begin < end && strip_this(s[begin])) ++begin;
  if (right) while (end > begin && strip_this(s[end - 1])) --end;
  return EncodeUtf8(std::u32string_view(s).substr(begin, end - begin));
}

std::optional<std::vector<std::string>> PythonSplit(std::string_view text, const std::optional<std::string>& sep,
                                                    int64_t maxsplit) {
  std::vector<std::string> parts;
  if (sep) {
    if (sep->empty()) return std::nullopt;
    size_t pos = 0;
    while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
      size_t hit = text.find(*sep, pos);
      if (hit == std::string_view::npos) break;
      parts.emplace_back(text.substr(pos, hit - pos));
      pos = hit + sep->size();
    }
    parts.emplace_back(text.substr(pos));
    return parts;
  }
  std::u32string s = DecodeUtf8(text);
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsPythonSpace(s[i])) ++i;
    if (i == s.size()) break;
    if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
      parts.push_back(EncodeUtf8(std::u32string_view(s).substr(i)));  // the rest, trailing spaces kept
      break;
    }
    size_t start = i;
    while (i < s.size() && !IsPythonSpace(s[i])) ++i;
    parts.push_back(EncodeUtf8(std::u32string_view(s).substr(start, i - start)));
  }
  return parts;
}

std::optional<std::vector<std::string>> PythonRSplit(std::string_view text, const std::optional<std::string>& sep,
                                                     int64_t maxsplit) {
  if (maxsplit < 0) return PythonSplit(text, sep, maxsplit);
  std::vector<std::string> parts;
  if (sep) {
    if (sep->empty()) return std::nullopt;
    size_t end = text.size();
    while (static_cast<int64_t>(parts.size()) < maxsplit) {
      if (end < sep->size()) break;
      size_t hit = text.rfind(*sep, end - sep->size());
      if (hit == std::string_view::npos) break;
      parts.emplace_back(text.substr(hit + sep->size(), end - hit - sep->size()));
      end = hit;
    }
    parts.emplace_back(text.substr(0, end));
  } else {
    std::u32string s = DecodeUtf8(text);
    size_t i = s.size();
    while (true) {
      while (i > 0 && IsPythonSpace(s[i - 1])) --i;
      if (i == 0) break;
      if (static_cast<int64_t>(parts.size()) == maxsplit) {
        parts.push_back(EncodeUtf8(std::u32string_view(s).substr(0, i)));  // the rest, leading spaces kept
        break;
      }
      size_t end = i;
      while (i > 0 && !IsPythonSpace(s[i - 1])) --i;
      parts.push_back(EncodeUtf8(std::u32string_view(s).substr(i, end - i)));
    }
  }
  std::reverse(parts.begin(), parts.end());
  return parts;
}

namespace {

char32_t Upper(char32_t c) { return static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(c))); }
char32_t Lower(char32_t c) { return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))); }
char32_t Titlecase(char32_t c) { return static_cast<char32_t>(utf8proc_totitle(static_cast<utf8proc_int32_t>(c))); }
bool IsCased(char32_t c) { return Upper(c) != c || Lower(c) != c || Titlecase(c) != c; }

}  // namespace

std::string PythonUpper(std::string_view text) {
  std::u32string s = DecodeUtf8(text);
  for (char32_t& c : s) c = Upper(c);
  return EncodeUtf8(s);
}

std::string PythonLower(std::string_view text) {
  std::u32string s = DecodeUtf8(text);
  for (char32_t& c : s) c = Lower(c);
  return EncodeUtf8(s);
}

std::string PythonCapitalize(std::string_view text) {
  std::u32string s = DecodeUtf8(text);
  for (size_t i = 0; i < s.size(); ++i) s[i] = i == 0 ? Titlecase(s[i]) : Lower(s[i]);
  return EncodeUtf8(s);
}

std::string PythonTitle(std::string_view text) {
  std::u32string s = DecodeUtf8(text);
  bool previous_cased = false;
  for (char32_t& c : s) {
    bool cased = IsCased(c);
    c = cased ? (previous_cased ? Lower(c) : Titlecase(c)) : c;
    previous_cased = cased;
  }
  return EncodeUtf8(s);
}

std::string JinjaTitle(std::string_view text) {
  std::u32string s = DecodeUtf8(text);
  bool word_start = true;
  for (char32_t& c : s) {
    bool separator = IsPythonSpace(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
    if (separator) {
      word_start = true;
      continue;
    }
    c = word_start ? Upper(c) : Lower(c);
    word_start = false;
  }
  return EncodeUtf8(s);
}

std::optional<std::string> PythonReplace(std::string_view text, std::string_view from, std::string_view to,
                                         int64_t count, size_t max_bytes) {
  std::string out;
  int64_t done = 0;
  if (from.empty()) {  // Python inserts `to` around every code point
    std::u32string s = DecodeUtf8(text);
    for (size_t i = 0; i <= s.size(); ++i) {
      if (count < 0 || done < count) {
        out.append(to);
        ++done;
      }
      if (i < s.size()) AppendUtf8(s[i], &out);
      if (out.size() > max_bytes) return std::nullopt;
    }
    return out;
  }
  size_t pos = 0;
  while (count < 0 || done < count) {
    size_t hit = text.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
    ++done;
    if (out.size() > max_bytes) return std::nullopt;
  }
  out.append(text.substr(pos));
  if (out.size() > max_bytes) return std::nullopt;
  return out;
}

int64_t PythonFind(std::string_view text, std::string_view needle, bool from_right) {
  size_t hit = from_right ? text.rfind(needle) : text.find(needle);
  if (hit == std::string_view::npos) return -1;
  return static_cast<int64_t>(CodePointCount(text.substr(0, hit)));
}

int64_t PythonCount(std::string_view text, std::string_view needle) {
  if (needle.empty()) return static_cast<int64_t>(CodePointCount(text)) + 1;
  int64_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string_view::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

std::vector<std::string> PythonSplitLines(std::string_view text) {
  std::vector<std::string> lines;
  std::u32string s = DecodeUtf8(text);
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char32_t c = s[i];
    bool boundary = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0x85 ||
                    c == 0x2028 || c == 0x2029;
    if (!boundary) continue;
    lines.push_back(EncodeUtf8(std::u32string_view(s).substr(start, i - start)));
    if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < s.size()) lines.push_back(EncodeUtf8(std::u32string_view(s).substr(start)));
  return lines;
}

bool IsAllCase(std::string_view text, bool upper) {
  bool any_cased = false;
  for (char32_t c : DecodeUtf8(text)) {
    if (!IsCased(c)) continue;
    any_cased = true;
    if (upper ? Lower(c) == c && Upper(c) != c : Upper(c) == c && Lower(c) != c) return false;
  }
  return any_cased;
}

}  // namespace fab::jinja
