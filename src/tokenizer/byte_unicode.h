// The byte ↔ character mapping of byte-level BPE (GPT-2's bytes_to_unicode):
// every byte value is shown as one printable Unicode character, so token
// texts in a vocabulary are valid UTF-8. Printable Latin-1 bytes ('!'..'~',
// '¡'..'¬', '®'..'ÿ') map to themselves; the other 68 bytes map, in order,
// to U+0100, U+0101, ... (space 0x20 → 'Ġ' U+0120, newline 0x0A → 'Ċ' U+010A).
// Pure functions over constant tables; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fab {

// The code point that stands for `byte`.
char32_t ByteToUnicode(uint8_t byte);
// The byte a code point stands for, or nullopt when it stands for none.
std::optional<uint8_t> UnicodeToByte(char32_t code_point);

// Encodes raw bytes as their mapped characters (UTF-8).
std::string BytesToBpeText(std::string_view bytes);
// Decodes a token text back to raw bytes; nullopt when the text is not valid
// UTF-8 or holds a character that stands for no byte.
std::optional<std::string> BpeTextToBytes(std::string_view text);

}  // namespace fab
