// Tokenizer: text ↔ token ids for one vocabulary (SentencePiece "llama" or
// byte-level BPE "gpt2"), with special-token parsing and the end-of-turn
// ids; and StreamingDetokenizer, which turns generated ids into valid UTF-8.
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
class SpecialTokenSplitter;
}

// Texts longer than this are refused by Encode (ResourceExhausted).
inline constexpr size_t kMaxEncodeTextBytes = size_t{1} << 28;

struct DecodeOptions {
  // Drop the one leading space the add_space_prefix marker decodes to, so
  // that Decode(Encode(text)) == text. Off by default: the goldens (and
  // llama.cpp's token-by-token pieces) keep it.
  bool strip_space_prefix = false;
  // Control and unknown tokens decode to their text ("<|eot_id|>") instead
  // of "", so that Decode(Encode(text, {.parse_special = true}),
  // {.render_special = true}) gives `text` back.
  bool render_special = false;
};

struct EncodeOptions {
  // BOS first when add_bos(), EOS last when add_eos() (the vocabulary's
  // add_bos_token / add_eos_token).
  bool add_special = false;
  // The texts of control (and unknown) tokens in the input become those
  // tokens ("<|eot_id|>" → one id), the longest text first at each place.
  // Off: they are ordinary text. User-defined tokens (Hugging Face added
  // tokens with special=false) are split out either way, as HF does.
  bool parse_special = false;
};

class Tokenizer {
 public:
  // InvalidArgument for a vocabulary that fails ValidateVocabData (or whose
  // SPM byte tokens are malformed); Unimplemented for a model other than
  // "llama" and "gpt2", or a BPE pre-tokenizer (vocab.pre) we do not know.
  static StatusOr<std::unique_ptr<Tokenizer>> Create(VocabData vocab);
  // LoadVocabFromGguf + Create.
  static StatusOr<std::unique_ptr<Tokenizer>> FromGguf(const GgufFile& gguf);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // The ids of `text` (see EncodeOptions). The text between special tokens
  // goes through the model, each stretch on its own (SPM prefixes each with
  // its space marker, as llama.cpp and HF's Prepend normalizer do). "" gives
  // no ids (just BOS/EOS when asked). InvalidArgument for text that is not
  // valid UTF-8 (or that the vocabulary cannot represent), ResourceExhausted
  // beyond kMaxEncodeTextBytes.
  StatusOr<std::vector<TokenId>> Encode(std::string_view text, EncodeOptions options) const;
  // The same as Encode(text, {}) with bos_id() first when `add_bos` (no EOS,
  // no parsing of control-token texts). FailedPrecondition when add_bos and
  // the vocabulary has no BOS.
  StatusOr<std::vector<TokenId>> Encode(std::string_view text, bool add_bos) const;

  // The concatenated bytes of TokenBytes(id) for each id (ids outside the
  // vocabulary contribute nothing; control tokens their text when
  // options.render_special). For SPM the first token's "▁" gives the
  // leading space ("Hello" → [▁Hello] → " Hello", as the goldens expect)
  // unless options.strip_space_prefix. Raw bytes: may be invalid UTF-8 when
  // the ids split a character; use StreamingDetokenizer for display.
  std::string Decode(std::span<const TokenId> ids, DecodeOptions options = {}) const;

  // The raw vocabulary string of `id` ("▁Hello", "<0x0A>"); "" if invalid.
  std::string_view TokenText(TokenId id) const;
  // The bytes `id` detokenizes to: SPM ▁ → space and <0xNN> → that byte,
  // BPE "Ġ" → space (byte_unicode.h); control, unknown and unused tokens →
  // "", user-defined tokens verbatim; "" if invalid.
  const std::string& TokenBytes(TokenId id) const;

  int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  TokenId bos_id() const { return vocab_.bos_id; }
  TokenId eos_id() const { return vocab_.eos_id; }
  bool add_bos() const { return vocab_.add_bos; }
  bool add_eos() const { return vocab_.add_eos; }
  const VocabData& vocab() const { return vocab_; }
  // The tokens that end a generated turn, sorted: EOS, EOT, EOM and the
  // control tokens with a known end-of-turn text (special_tokens.h).
  std::span<const TokenId> end_of_generation_ids() const { return end_of_generation_ids_; }
  // True for the ids in end_of_generation_ids().
  bool IsEndOfGeneration(TokenId id) const;
  bool IsValid(TokenId id) const { return id >= 0 && id < n_vocab(); }

 private:
  friend class StreamingDetokenizer;

  explicit Tokenizer(VocabData vocab);
  // Appends the ids of `text` (no BOS/EOS) to *ids.
  Status EncodeSegments(std::string_view text, bool parse_special,
                        std::vector<TokenId>* ids) const;
  // TokenBytes, or the token text for control/unknown tokens when rendering.
  std::string_view DecodedPiece(TokenId id, const DecodeOptions& options) const;

  const VocabData vocab_;  // declared before model_: the model references it
  std::unique_ptr<const tokenizer_internal::TokenizerModel> model_;
  std::unique_ptr<const tokenizer_internal::SpecialTokenSplitter> splitter_;
  std::vector<std::string> token_bytes_;  // [n_vocab] TokenBytes, precomputed
  std::vector<TokenId> end_of_generation_ids_;  // sorted, unique
};

// Turns a stream of generated ids into text that is always valid UTF-8: a
// character split over several tokens (e.g. <0xEC><0x95><0x88> = "안") is
// held back until its last byte arrives. One per sequence; not thread-safe;
// the Tokenizer must outlive it. Leading spaces are kept (see Decode);
// options.render_special is honoured (strip_space_prefix is not).
class StreamingDetokenizer {
 public:
  explicit StreamingDetokenizer(const Tokenizer& tokenizer, DecodeOptions options = {})
      : tokenizer_(&tokenizer), options_(options) {}

  // The text that became complete with `id` (possibly ""). Bytes that can
  // never form a character are emitted as U+FFFD at once.
  std::string Push(TokenId id);
  // Whatever is still held, an incomplete character becoming one U+FFFD;
  // the detokenizer is empty afterwards and may be reused.
  std::string Flush();

 private:
  const Tokenizer* tokenizer_;
  DecodeOptions options_;
  std::string pending_;  // bytes of an incomplete trailing character (< 4)
};

}  // namespace fab
