// A small hand-built byte-level BPE ("gpt2") vocabulary for tokenizer unit
// tests: token b (0 ≤ b < 256) is the byte_unicode.h character of byte b, so
// an unmerged byte's id is the byte itself; AddBpeMerge appends merge rules
// (rank = order of calls) and the tokens they make.
#pragma once

#include <string>
#include <string_view>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/vocab.h"

namespace fab::testing {

inline TokenId AddBpeToken(VocabData& vocab, std::string_view text,
                           TokenType type = TokenType::kNormal) {
  vocab.tokens.emplace_back(text);
  vocab.scores.push_back(0.0f);
  vocab.token_types.push_back(static_cast<int32_t>(type));
  return static_cast<TokenId>(vocab.tokens.size() - 1);
}

// The id of the token whose text is `text`, or -1.
inline TokenId FindToken(const VocabData& vocab, std::string_view text) {
  for (size_t index = 0; index < vocab.tokens.size(); ++index) {
    if (vocab.tokens[index] == text) return static_cast<TokenId>(index);
  }
  return -1;
}

// Adds the rule "left right" over raw bytes (mapped through byte_unicode.h)
// and, unless present, the merged token; returns the merged token's id.
inline TokenId AddBpeMerge(VocabData& vocab, std::string_view left, std::string_view right) {
  const std::string left_text = BytesToBpeText(left);
  const std::string right_text = BytesToBpeText(right);
  vocab.merges.push_back(left_text + " " + right_text);
  const std::string merged = left_text + right_text;
  const TokenId existing = FindToken(vocab, merged);
  return existing != -1 ? existing : AddBpeToken(vocab, merged);
}

// The 256 byte tokens, no merges yet (add some: "gpt2" needs at least one),
// no special tokens, add_bos off.
inline VocabData MakeByteLevelVocab(std::string pre = "llama-bpe") {
  VocabData vocab;
  vocab.model = "gpt2";
  vocab.pre = std::move(pre);
  vocab.add_bos = false;
  vocab.add_space_prefix = false;
  for (int byte = 0; byte < 256; ++byte) {
    const char raw = static_cast<char>(byte);
    AddBpeToken(vocab, BytesToBpeText(std::string_view(&raw, 1)));
  }
  return vocab;
}

}  // namespace fab::testing
