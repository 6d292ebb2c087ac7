#include "tokenizer/byte_unicode.h"

#include <array>

#include "tokenizer/utf8.h"

namespace fab {
namespace {

bool MapsToItself(int byte) {
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

struct Tables {
  std::array<char32_t, 256> to_unicode{};
  std::array<int16_t, 324> to_byte{};  // code points 0 .. 0x143; -1 = none
};

const Tables& GetTables() {
  static const Tables tables = [] {
    Tables t;
    t.to_byte.fill(-1);
    char32_t next = 0x100;
    for (int byte = 0; byte < 256; ++byte) {
      const char32_t cp = MapsToItself(byte) ? static_cast<char32_t>(byte) : next++;
      t.to_unicode[static_cast<size_t>(byte)] = cp;
      t.to_byte[cp] = static_cast<int16_t>(byte);
    }
    return t;
  }();
  return tables;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else {  // every mapped code point is below U+0800
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

char32_t ByteToUnicode(uint8_t byte) { return GetTables().to_unicode[byte]; }

std::optional<uint8_t> UnicodeToByte(char32_t code_point) {
  const Tables& t = GetTables();
  if (code_point >= t.to_byte.size() || t.to_byte[code_point] < 0) return std::nullopt;
  return static_cast<uint8_t>(t.to_byte[code_point]);
}

std::string BytesToBpeText(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) AppendUtf8(ByteToUnicode(static_cast<uint8_t>(c)), out);
  return out;
}

std::optional<std::string> BpeTextToBytes(std::string_view text) {
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Step step = ScanUtf8Char(text.substr(pos));
    // Every mapped character is one or two bytes of UTF-8.
    if (step.scan != Utf8Scan::kComplete || step.length > 2) return std::nullopt;
    const unsigned char lead = static_cast<unsigned char>(text[pos]);
    const char32_t cp = step.length == 1 ? lead
                                         : (static_cast<char32_t>(lead & 0x1F) << 6) |
                                               (static_cast<unsigned char>(text[pos + 1]) & 0x3F);
    std::optional<uint8_t> byte = UnicodeToByte(cp);
    if (!byte) return std::nullopt;
    out.push_back(static_cast<char>(*byte));
    pos += step.length;
  }
  return out;
}

}  // namespace fab
