// A deterministic generator of mixed Korean/English prose for tokenizer
// benchmarks: sentences drawn with a seeded PRNG from word lists, about half
// Korean and half English (Hangul syllables against ASCII letters), with
// particles, made-up words, code-switched technical terms, digits,
// punctuation and paragraph breaks (never one sentence repeated). The same (n_bytes, seed) gives the same bytes on every
// platform (no std distributions). Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fab::cli {

// Exactly n_bytes of valid UTF-8 (the last character is never cut: the text
// may end a few bytes early and is padded with spaces to n_bytes).
std::string GenerateMixedText(size_t n_bytes, uint64_t seed);

}  // namespace fab::cli
