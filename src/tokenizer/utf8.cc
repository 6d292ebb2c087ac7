#include "tokenizer/utf8.h"

#include <cstdint>

namespace fab {
namespace {

// Number of bytes of the character a lead byte starts; 0 for bytes that can
// never lead (continuation bytes, C0/C1 overlong leads, F5..FF).
size_t SequenceLength(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// The allowed range of the second byte, which is narrower than 80..BF for
// leads that could otherwise encode overlongs, surrogates or > U+10FFFF.
bool SecondByteAllowed(uint8_t lead, uint8_t second) {
  switch (lead) {
    case 0xE0: return second >= 0xA0 && second <= 0xBF;
    case 0xED: return second >= 0x80 && second <= 0x9F;
    case 0xF0: return second >= 0x90 && second <= 0xBF;
    case 0xF4: return second >= 0x80 && second <= 0x8F;
    default: return second >= 0x80 && second <= 0xBF;
  }
}

bool IsContinuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

Utf8Step ScanUtf8Char(std::string_view text) {
  const auto lead = static_cast<uint8_t>(text[0]);
  const size_t needed = SequenceLength(lead);
  if (needed == 0) return {Utf8Scan::kInvalid, 1};
  if (needed == 1) return {Utf8Scan::kComplete, 1};
  size_t index = 1;
  for (; index < needed && index < text.size(); ++index) {
    const auto byte = static_cast<uint8_t>(text[index]);
    const bool allowed = index == 1 ? SecondByteAllowed(lead, byte) : IsContinuation(byte);
    if (!allowed) return {Utf8Scan::kInvalid, index};
  }
  if (index < needed) return {Utf8Scan::kIncomplete, index};
  return {Utf8Scan::kComplete, needed};
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool IsValidUtf8(std::string_view text, size_t* error_offset) {
  size_t offset = 0;
  while (offset < text.size()) {
    // ASCII fast path: most text is mostly ASCII.
    if (static_cast<uint8_t>(text[offset]) < 0x80) {
      ++offset;
      continue;
    }
    const Utf8Step step = ScanUtf8Char(text.substr(offset));
    if (step.scan != Utf8Scan::kComplete) {
      if (error_offset != nullptr) *error_offset = offset;
      return false;
    }
    offset += step.length;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  size_t offset = 0;
  while (offset < text.size()) {
    const Utf8Step step = ScanUtf8Char(text.substr(offset));
    if (step.scan == Utf8Scan::kComplete) {
      result.append(text.substr(offset, step.length));
    } else {
      result.append(kUtf8ReplacementChar);
    }
    offset += step.length;
  }
  return result;
}

}  // namespace fab
