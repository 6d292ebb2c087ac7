// A small hand-built SPM ("llama") vocabulary for tokenizer unit tests:
// <unk>, <s>, </s>, the 256 byte tokens <0x00>..<0xFF>, then pieces added
// with AddPiece (token type normal unless given).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "tokenizer/vocab.h"

namespace fab::testing {

inline constexpr TokenId kTestUnkId = 0;
inline constexpr TokenId kTestBosId = 1;
inline constexpr TokenId kTestEosId = 2;
inline constexpr TokenId kTestFirstByteId = 3;  // <0x00>; byte b is kTestFirstByteId + b

inline TokenId AddPiece(VocabData& vocab, std::string_view text, float score,
                        TokenType type = TokenType::kNormal) {
  vocab.tokens.emplace_back(text);
  vocab.scores.push_back(score);
  vocab.token_types.push_back(static_cast<int32_t>(type));
  return static_cast<TokenId>(vocab.tokens.size() - 1);
}

// Adds every prefix of `text` that is two or more characters long (the
// chain of pairwise merges that reaches `text` from its characters), each
// with `score`; returns the id of `text` itself. Characters are cut at
// UTF-8 lead bytes.
inline TokenId AddMergeChain(VocabData& vocab, std::string_view text, float score) {
  TokenId id = -1;
  size_t n_chars = 0;
  for (size_t end = 1; end <= text.size(); ++end) {
    if (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) continue;
    if (++n_chars >= 2) id = AddPiece(vocab, text.substr(0, end), score);
  }
  return id;
}

// With `with_bytes` false the vocabulary has no byte-fallback tokens.
inline VocabData MakeSpecialsAndBytesVocab(bool with_bytes = true) {
  VocabData vocab;
  vocab.model = "llama";
  AddPiece(vocab, "<unk>", 0.0f, TokenType::kUnknown);
  AddPiece(vocab, "<s>", 0.0f, TokenType::kControl);
  AddPiece(vocab, "</s>", 0.0f, TokenType::kControl);
  if (with_bytes) {
    for (int byte = 0; byte < 256; ++byte) {
      char text[8];
      std::snprintf(text, sizeof(text), "<0x%02X>", byte);
      AddPiece(vocab, text, 0.0f, TokenType::kByte);
    }
  }
  vocab.unk_id = kTestUnkId;
  vocab.bos_id = kTestBosId;
  vocab.eos_id = kTestEosId;
  return vocab;
}

inline TokenId ByteTokenId(unsigned char byte) { return kTestFirstByteId + byte; }

}  // namespace fab::testing
