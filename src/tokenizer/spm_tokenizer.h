// SpmModel: SentencePiece-style tokenization over a "llama" vocabulary, with
// the semantics of llama.cpp's SPM tokenizer (the reference of our goldens):
// spaces become U+2581 (one is prepended when add_space_prefix), the text is
// split into characters, and the adjacent pair whose concatenation is a
// vocabulary piece with the highest score is merged first (ties: leftmost),
// until no pair merges. Characters left outside the vocabulary become byte
// tokens "<0xNN>" (or, when the vocabulary has no bytes, one unknown token
// for each run of such characters, as sentencepiece does).
// Only normal, undefined and user-defined pieces are matched, as in
// SentencePiece (llama.cpp also matches control/byte texts such as "<s>";
// no such merge is reachable in the Llama-2 vocabulary, so ids agree).
// Cost: O(n log n) in the text length (per word when the vocabulary allows).
// Immutable; thread-safe.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "tokenizer/piece_table.h"
#include "tokenizer/tokenizer_model.h"
#include "tokenizer/vocab.h"

namespace fab::tokenizer_internal {

class SpmModel final : public TokenizerModel {
 public:
  // `vocab` must already pass ValidateVocabData and must outlive the model.
  // InvalidArgument when a byte-type token is not spelled "<0xNN>".
  static StatusOr<std::unique_ptr<SpmModel>> Create(const VocabData& vocab);

  Status Encode(std::string_view text, std::vector<TokenId>* ids) const override;
  std::string DecodeToken(TokenId id) const override;

 private:
  struct Symbol;
  struct Bigram;
  struct Workspace;

  explicit SpmModel(const VocabData& vocab)
      : vocab_(vocab), piece_to_id_(vocab.tokens, vocab.tokens.size()) {}
  Status IndexPieces();
  // The id of `piece` among the tokens text may turn into, or -1.
  TokenId FindPiece(std::string_view piece) const;
  static size_t NextWordStart(std::string_view text, size_t start);
  Status EncodeWord(std::string_view word, Workspace& workspace, std::vector<TokenId>* ids) const;
  void MergeSymbols(std::string_view text, Workspace& workspace) const;
  Status EmitSymbol(std::string_view piece, std::vector<TokenId>* ids) const;

  const VocabData& vocab_;
  // Normal, undefined and user-defined tokens by text (the last of duplicate
  // texts wins).
  PieceTable piece_to_id_;
  std::array<TokenId, 256> byte_to_id_;  // -1 where the vocabulary lacks "<0xNN>"
  // True when no piece has U+2581 after another character, so that no merge
  // crosses the start of a word ("x▁"); Encode then merges word by word.
  bool words_never_join_ = true;
};

}  // namespace fab::tokenizer_internal
