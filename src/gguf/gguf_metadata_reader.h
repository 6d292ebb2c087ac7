// ReadGgufMetadata: parses the key/value section of a GGUF file (see the
// format at the top of gguf_file.cc) into values, for GgufFile only.
// Every count and length is checked against GgufLimits and the bytes that
// remain before anything is allocated; array nesting is bounded. Errors name
// the entry: "metadata 'tokenizer.ggml.tokens': array element 7: ...".
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "gguf/gguf_byte_cursor.h"
#include "gguf/gguf_limits.h"
#include "gguf/gguf_value.h"

namespace fab::gguf_internal {

struct GgufMetadata {
  std::vector<std::pair<std::string, GgufValue>> entries;  // file order
  std::map<std::string, size_t, std::less<>> index;       // key -> entries index
};

// Fewest bytes one encoded value of `type` can take (a string: its length
// field; an array: its element type and count). Used to bound counts.
uint64_t MinEncodedBytes(GgufValueType type);
// Fewest bytes one key/value entry can take: key length, 1 key byte, value
// type, 1 value byte.
inline constexpr uint64_t kMinMetadataEntryBytes = 8 + 1 + 4 + 1;

// Reads n_kv entries at the cursor. n_kv was already checked against caps.
StatusOr<GgufMetadata> ReadGgufMetadata(GgufByteCursor& cursor, uint64_t n_kv, const GgufLimits& limits);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace fab::gguf_internal
