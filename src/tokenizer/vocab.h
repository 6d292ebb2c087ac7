// VocabData: a tokenizer vocabulary as plain data, independent of where it
// came from (GGUF metadata via vocab_from_gguf.h, or built by hand in tests).
// ValidateVocabData checks the invariants every tokenizer relies on; it is
// the only gate between outside bytes and the tokenizers (it never aborts).
// Thread-safety: plain value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/types.h"

namespace fab {

// Numbered as GGUF's tokenizer.ggml.token_type stores them (llama.cpp's
// llama_token_type).
enum class TokenType : int32_t {
  kUndefined = 0,  // treated like kNormal
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,      // <s>, </s>: never produced by text, decode to ""
  kUserDefined = 4,  // decoded verbatim
  kUnused = 5,
  kByte = 6,  // SPM byte-fallback token "<0xNN>"
};

inline constexpr size_t kMaxVocabSize = size_t{1} << 20;
inline constexpr size_t kMaxTokenTextBytes = size_t{1} << 16;
inline constexpr size_t kMaxMerges = size_t{1} << 22;
inline constexpr size_t kMaxPreTokenizerNameBytes = 64;

struct VocabData {
  std::string model;                // "llama" (SPM) or "gpt2" (byte-level BPE)
  std::string pre;                  // BPE pre-tokenizer: "llama-bpe", "qwen2", "gpt-2", …
  std::string normalizer;           // "" (none) or "nfc" (Unicode NFC before splitting)
  std::vector<std::string> tokens;  // [n_vocab] token text; SPM writes space as U+2581
  std::vector<float> scores;        // [n_vocab] SPM merge priority (higher merges first)
  std::vector<int32_t> token_types;  // [n_vocab] TokenType values
  std::vector<std::string> merges;  // BPE: "left right", rank = index (first merges first)
  TokenId bos_id = -1, eos_id = -1, eot_id = -1, eom_id = -1, unk_id = -1, pad_id = -1;
  bool add_bos = true, add_eos = false;
  bool add_space_prefix = true;  // SPM: prepend U+2581 to the text before merging
  std::string chat_template;     // Jinja source (tokenizer.chat_template); "" = none
};

// OK when: 1 ≤ n_vocab ≤ kMaxVocabSize; scores and token_types have n_vocab
// entries; every type is a TokenType; no score is NaN; every token is valid
// UTF-8 of at most kMaxTokenTextBytes; every special id is -1 or in range;
// add_bos implies a BOS id; normalizer is "" or "nfc"; pre is at most
// kMaxPreTokenizerNameBytes of [A-Za-z0-9._-] (an unknown but well-formed
// name passes here: Tokenizer::Create reports it as Unimplemented); at most
// kMaxMerges merges, each valid UTF-8 "left right" with both halves
// non-empty (split at the first space after the first byte); a "gpt2"
// vocabulary has merges. InvalidArgument (or OutOfRange for ids) otherwise.
Status ValidateVocabData(const VocabData& vocab);

}  // namespace fab
