// TokenizerModel: the internal interface behind Tokenizer, one subclass per
// algorithm (spm_tokenizer.h, bpe_tokenizer.h). Not for use outside
// src/tokenizer/. A model references the VocabData its Tokenizer owns and
// must not outlive it. Implementations are immutable after creation and
// safe to call from any number of threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/types.h"

namespace fab::tokenizer_internal {

class TokenizerModel {
 public:
  virtual ~TokenizerModel() = default;

  // Appends the ids of `text` to *ids. `text` is non-empty valid UTF-8 (the
  // Tokenizer checked it) holding no special-token text the Tokenizer split
  // out. Fails only when the vocabulary cannot represent a character (no
  // byte token and no unknown token), or (BPE) when the regex engine runs
  // out of memory.
  virtual Status Encode(std::string_view text, std::vector<TokenId>* ids) const = 0;

  // The bytes a normal, undefined or byte token `id` detokenizes to. The
  // Tokenizer handles the other types itself, the same way for every model:
  // user-defined tokens verbatim; control, unknown and unused tokens "".
  virtual std::string DecodeToken(TokenId id) const = 0;
};

}  // namespace fab::tokenizer_internal
