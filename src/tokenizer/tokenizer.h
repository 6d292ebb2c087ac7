// Tokenizer: text ↔ token ids for one vocabulary (SPM "llama" today; the
// byte-level BPE "gpt2" model plugs in behind the same class later), and
// StreamingDetokenizer, which turns generated ids into valid UTF-8 text.
// Tokenizer is immutable after Create and safe for concurrent Encode/Decode
// from any number of threads. Errors from outside input are Status values;
// nothing here aborts on bad text, bad ids or bad vocabularies.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "tokenizer/vocab.h"

namespace fab {

class GgufFile;
namespace tokenizer_internal {
class TokenizerModel;
}

// Texts longer than this are refused by Encode (ResourceExhausted).
inline constexpr size_t kMaxEncodeTextBytes = size_t{1} << 28;

struct DecodeOptions {
  // Drop the one leading space the add_space_prefix marker decodes to, so
  // that Decode(Encode(text)) == text. Off by default: the goldens (and
  // llama.cpp's token-by-token pieces) keep it.
  bool strip_space_prefix = false;
};

class Tokenizer {
 public:
  // InvalidArgument for a vocabulary that fails ValidateVocabData (or whose
  // byte tokens are malformed), Unimplemented for a model other than "llama".
  static StatusOr<std::unique_ptr<Tokenizer>> Create(VocabData vocab);
  // LoadVocabFromGguf + Create.
  static StatusOr<std::unique_ptr<Tokenizer>> FromGguf(const GgufFile& gguf);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // The ids of `text`, with bos_id() first when `add_bos` (callers normally
  // pass add_bos()). No special-token parsing: "<s>" in text is three
  // characters. "" gives no ids (just BOS when asked). InvalidArgument for
  // text that is not valid UTF-8, ResourceExhausted beyond
  // kMaxEncodeTextBytes, FailedPrecondition when add_bos and no BOS exists.
  StatusOr<std::vector<TokenId>> Encode(std::string_view text, bool add_bos) const;

  // The concatenated bytes of TokenBytes(id) for each id (ids outside the
  // vocabulary contribute nothing). For SPM the first token's "▁" gives the
  // leading space ("Hello" → [▁Hello] → " Hello", as the goldens expect)
  // unless options.strip_space_prefix. Raw bytes: may be invalid UTF-8 when
  // the ids split a character; use StreamingDetokenizer for display.
  std::string Decode(std::span<const TokenId> ids, DecodeOptions options = {}) const;

  // The raw vocabulary string of `id` ("▁Hello", "<0x0A>"); "" if invalid.
  std::string_view TokenText(TokenId id) const;
  // The bytes `id` detokenizes to: ▁ → space, <0xNN> → that byte, control,
  // unknown and unused tokens → "", user-defined tokens verbatim; "" if invalid.
  const std::string& TokenBytes(TokenId id) const;

  int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  TokenId bos_id() const { return vocab_.bos_id; }
  TokenId eos_id() const { return vocab_.eos_id; }
  bool add_bos() const { return vocab_.add_bos; }
  bool add_eos() const { return vocab_.add_eos; }
  const VocabData& vocab() const { return vocab_; }
  // True for the EOS and EOT tokens (the ones that end a generation).
  bool IsEndOfGeneration(TokenId id) const;
  bool IsValid(TokenId id) const { return id >= 0 && id < n_vocab(); }

 private:
  explicit Tokenizer(VocabData vocab);

  const VocabData vocab_;  // declared before model_: the model references it
  std::unique_ptr<const tokenizer_internal::TokenizerModel> model_;
  std::vector<std::string> token_bytes_;  // [n_vocab] TokenBytes, precomputed
};

// Turns a stream of generated ids into text that is always valid UTF-8: a
// character split over several tokens (e.g. <0xEC><0x95><0x88> = "안") is
// held back until its last byte arrives. One per sequence; not thread-safe;
// the Tokenizer must outlive it. Leading spaces are kept (see Decode).
class StreamingDetokenizer {
 public:
  explicit StreamingDetokenizer(const Tokenizer& tokenizer) : tokenizer_(&tokenizer) {}

  // The text that became complete with `id` (possibly ""). Bytes that can
  // never form a character are emitted as U+FFFD at once.
  std::string Push(TokenId id);
  // Whatever is still held, an incomplete character becoming one U+FFFD;
  // the detokenizer is empty afterwards and may be reused.
  std::string Flush();

 private:
  const Tokenizer* tokenizer_;
  std::string pending_;  // bytes of an incomplete trailing character (< 4)
};

}  // namespace fab
