// Unicode Normalization Form C for the tokenizers' "nfc" normalizer (Qwen's
// tokenizer.json has {"type": "NFC"}), backed by utf8proc. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace fab {

// True when `text` is certainly NFC already: every character is below
// U+0300, a precomposed Hangul syllable or a CJK unified ideograph (none of
// which decomposes or composes with a neighbour of that set). False means
// "perhaps not"; ToNfc then decides. Cost: one pass, no allocation.
bool IsQuickNfc(std::string_view text);

// `text` (valid UTF-8) in NFC. InvalidArgument when `text` is not valid
// UTF-8, ResourceExhausted when memory runs out.
StatusOr<std::string> ToNfc(std::string_view text);

}  // namespace fab
