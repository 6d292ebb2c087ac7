#include "tokenizer/unicode_nfc.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace fab {
namespace {

// The code point of the multi-byte character at text[pos] (valid UTF-8).
char32_t DecodeAt(std::string_view text, size_t pos, size_t length) {
  const auto byte = [&](size_t index) { return static_cast<char32_t>(
                                            static_cast<unsigned char>(text[pos + index])); };
  if (length == 2) return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
  if (length == 3) return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
  return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
         (byte(3) & 0x3F);
}

bool IsStableInNfc(char32_t code_point) {
  return code_point < 0x300 || (code_point >= 0xAC00 && code_point <= 0xD7A3) ||
         (code_point >= 0x4E00 && code_point <= 0x9FFF);
}

}  // namespace

bool IsQuickNfc(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (lead < 0x80) {
      ++pos;
      continue;
    }
    const size_t length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (pos + length > text.size() || !IsStableInNfc(DecodeAt(text, pos, length))) return false;
    pos += length;
  }
  return true;
}

StatusOr<std::string> ToNfc(std::string_view text) {
  if (IsQuickNfc(text)) return std::string(text);
  utf8proc_uint8_t* output = nullptr;
  const utf8proc_ssize_t length = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
      static_cast<utf8proc_ssize_t>(text.size()), &output,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(output, &std::free);
  if (length == UTF8PROC_ERROR_NOMEM || length == UTF8PROC_ERROR_OVERFLOW) {
    return ResourceExhaustedError("no memory to normalize " + std::to_string(text.size()) +
                                  " bytes of text");
  }
  if (length < 0) {
    return InvalidArgumentError(std::string("cannot normalize the text: ") +
                                utf8proc_errmsg(length));
  }
  return std::string(reinterpret_cast<const char*>(output), static_cast<size_t>(length));
}

}  // namespace fab
