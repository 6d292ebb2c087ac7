// UTF-8 helpers for the tokenizers: validation (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF) and the incremental scan the streaming
// detokenizer uses to hold back an incomplete trailing character.
// All functions are pure and thread-safe; none allocate except SanitizeUtf8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fab {

inline constexpr std::string_view kUtf8ReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// Result of looking at the bytes that start at one position.
enum class Utf8Scan {
  kComplete,    // a whole valid character of `length` bytes
  kIncomplete,  // a valid prefix of a character that needs more bytes
  kInvalid,     // `length` bytes (≥1) that can never start a valid character
};

struct Utf8Step {
  Utf8Scan scan;
  size_t length;  // bytes consumed by this step (the whole prefix when kIncomplete)
};

// Classifies the character that starts at text[0]. `text` must be non-empty.
// For kInvalid, `length` is the maximal invalid subpart (so each one becomes
// one U+FFFD, as Unicode recommends).
Utf8Step ScanUtf8Char(std::string_view text);

// Appends the UTF-8 encoding of `code_point` (≤ U+10FFFF; the caller keeps
// surrogates out where they matter).
void AppendUtf8(char32_t code_point, std::string* out);

// True when all of `text` is valid UTF-8. On failure, *error_offset (if not
// null) receives the byte offset of the first invalid or truncated character.
bool IsValidUtf8(std::string_view text, size_t* error_offset = nullptr);

// `text` with every invalid or truncated sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view text);

}  // namespace fab
