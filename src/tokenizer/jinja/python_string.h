// Python `str` semantics over UTF-8 strings for the template interpreter:
// lengths, indexing and slicing count code points; strip/split use Python's
// whitespace; case mapping uses utf8proc. Inputs must be valid UTF-8 (the
// interpreter only builds strings from valid template text and JSON).
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/utf8.h"  // AppendUtf8

namespace fab::jinja {

std::u32string DecodeUtf8(std::string_view text);
std::string EncodeUtf8(std::u32string_view text);
size_t CodePointCount(std::string_view text);

// Python's str.isspace() for one code point.
bool IsPythonSpace(char32_t c);

// str.strip / lstrip / rstrip; `chars` nullopt strips whitespace.
std::string PythonStrip(std::string_view text, const std::optional<std::string>& chars, bool left, bool right);

// str.split(sep, maxsplit) and str.rsplit; sep nullopt splits on whitespace runs.
// Returns nullopt for an empty separator (Python raises ValueError).
std::optional<std::vector<std::string>> PythonSplit(std::string_view text, const std::optional<std::string>& sep,
                                                    int64_t maxsplit);

// str.rsplit(sep, maxsplit): like PythonSplit, counting splits from the right.
std::optional<std::vector<std::string>> PythonRSplit(std::string_view text, const std::optional<std::string>& sep,
                                                     int64_t maxsplit);

std::string PythonUpper(std::string_view text);
std::string PythonLower(std::string_view text);
std::string PythonCapitalize(std::string_view text);
// str.title(): a cased character after an uncased one starts a word.
std::string PythonTitle(std::string_view text);
// jinja2's `title` filter: words start after whitespace and -([{<.
std::string JinjaTitle(std::string_view text);

// str.replace(old, new, count); count < 0 replaces all. Returns nullopt when the
// result would exceed max_bytes.
std::optional<std::string> PythonReplace(std::string_view text, std::string_view from, std::string_view to,
                                         int64_t count, size_t max_bytes);

// str.find / str.count (non-overlapping) in code points; find returns -1 when absent.
int64_t PythonFind(std::string_view text, std::string_view needle, bool from_right);
int64_t PythonCount(std::string_view text, std::string_view needle);

// str.splitlines(): splits on \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029.
std::vector<std::string> PythonSplitLines(std::string_view text);

bool IsAllCase(std::string_view text, bool upper);  // str.isupper()/islower()

}  // namespace fab::jinja
