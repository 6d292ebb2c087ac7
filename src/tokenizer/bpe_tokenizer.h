// BpeModel: byte-level BPE over a "gpt2" vocabulary, with the semantics of
// Hugging Face tokenizers (BPE model + ByteLevel pre-tokenizer/decoder) as
// transformers.js runs them:
//   1. "nfc" normalizer: the text becomes NFC (unicode_nfc.h);
//   2. the pre-tokenizer of vocab.pre splits it (pre_tokenizer.h; "" means
//      "default");
//   3. each piece's bytes are symbols (the token of each byte's
//      byte_unicode.h character), and the adjacent pair whose merge rule has
//      the lowest rank is merged first (ties: leftmost) until none applies.
// ignore_merges: for "llama-bpe", "gpt-4o" and "tekken"
// (PreTokenizer::IgnoresMerges, as in those families' tokenizer.json and in
// llama.cpp), a piece that is itself a normal token is emitted whole without
// merging. GGUF has no key for the flag, so it is derived from the
// pre-tokenizer name.
// Merge rules are "left right" (split at the first space after the first
// character); a rule whose halves or concatenation is not a normal,
// undefined or user-defined token can never apply and is dropped. A symbol
// left outside the vocabulary becomes the unknown token, or fails.
// Cost: O(n log n) per piece (heap over a linked list of symbols), and a
// bounded word cache (word_cache.h) skips merging for repeated short pieces.
// Immutable apart from the internally synchronized cache; thread-safe.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "tokenizer/merge_table.h"
#include "tokenizer/piece_table.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer_model.h"
#include "tokenizer/vocab.h"
#include "tokenizer/word_cache.h"

namespace fab::tokenizer_internal {

class BpeModel final : public TokenizerModel {
 public:
  // At most this many pieces' results are cached.
  static constexpr size_t kWordCacheEntries = 32768;

  // `vocab` must already pass ValidateVocabData and must outlive the model.
  // Unimplemented for an unknown pre-tokenizer or normalizer.
  static StatusOr<std::unique_ptr<BpeModel>> Create(const VocabData& vocab);

  Status Encode(std::string_view text, std::vector<TokenId>* ids) const override;
  // The token text mapped back through byte_unicode.h ("Ġ" → space); a text
  // with a character that stands for no byte is returned verbatim.
  std::string DecodeToken(TokenId id) const override;

  bool ignores_merges() const { return ignore_merges_; }
  // The merge rules that can apply (after dropping unusable ones).
  size_t n_merges() const { return merges_.size(); }

 private:
  struct Symbol;
  struct Candidate;
  struct Workspace;

  BpeModel(const VocabData& vocab, std::unique_ptr<PreTokenizer> pre_tokenizer,
           bool ignore_merges);
  void IndexMerges(const PieceTable& text_to_id);
  Status EncodePiece(std::string_view piece, Workspace& workspace,
                     std::vector<TokenId>* ids) const;
  void MergeSymbols(Workspace& workspace) const;
  Status EmitUnmergeable(uint8_t byte, std::vector<TokenId>* ids) const;

  const VocabData& vocab_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  bool ignore_merges_;
  bool normalize_nfc_;
  std::array<TokenId, 256> byte_to_id_;  // -1 where the byte's character is no token
  MergeTable merges_;
  // ignore_merges only: the raw bytes of each normal token ("" for others)
  // and the table from those bytes to the id.
  std::vector<std::string> token_bytes_;
  PieceTable bytes_to_id_;
  mutable WordCache cache_;
};

}  // namespace fab::tokenizer_internal
