// libFuzzer target for detokenization of arbitrary id arrays. The first
// input byte picks the vocabulary (a small SPM one with byte fallback or a
// small byte-level BPE one, small_bpe_vocab.h) and the decode options; the
// rest is int32 ids, most folded into the vocabulary, some left as they are
// (negative, huge). Properties, any failure aborts:
//   - Decode never crashes, whatever the ids;
//   - every piece the streaming detokenizer returns, and its flush, is
//     valid UTF-8, and together they are SanitizeUtf8(Decode(ids)) with the
//     same render_special (streaming keeps the leading space);
//   - a detokenizer reused after Flush gives the same text again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "small_bpe_vocab.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace {

using fab::TokenId;
using fab::TokenType;
using fab::VocabData;

using fab::fuzz::Require;

void Add(VocabData& vocab, std::string text, float score, TokenType type = TokenType::kNormal) {
  vocab.tokens.push_back(std::move(text));
  vocab.scores.push_back(score);
  vocab.token_types.push_back(static_cast<int32_t>(type));
}

// Specials, the 256 byte tokens, pieces with and without "▁" (some
// multi-byte) and a user-defined token.
VocabData MakeSmallSpmVocab() {
  VocabData vocab;
  vocab.model = "llama";
  Add(vocab, "<unk>", 0, TokenType::kUnknown);
  Add(vocab, "<s>", 0, TokenType::kControl);
  Add(vocab, "</s>", 0, TokenType::kControl);
  for (int byte = 0; byte < 256; ++byte) {
    char text[8];
    std::snprintf(text, sizeof(text), "<0x%02X>", byte);
    Add(vocab, text, 0, TokenType::kByte);
  }
  float score = -1.0f;
  for (const char* piece :
       {"\xE2\x96\x81", "\xE2\x96\x81\xE2\x96\x81", "\xE2\x96\x81hello", "a", "b", "\xEC\x95\x88",
        "\xE2\x96\x81\xEC\x95\x88\xEB\x85\x95", "\xF0\x9F\x98\x80"}) {
    Add(vocab, piece, score -= 0.5f);
  }
  Add(vocab, "<tool>", 0, TokenType::kUserDefined);
  Add(vocab, "<unused0>", 0, TokenType::kUnused);
  vocab.unk_id = 0;
  vocab.bos_id = 1;
  vocab.eos_id = 2;
  return vocab;
}

const fab::Tokenizer& PickTokenizer(int which) {
  static const std::unique_ptr<fab::Tokenizer> spm = [] {
    auto tokenizer = fab::Tokenizer::Create(MakeSmallSpmVocab());
    Require(tokenizer.ok(), "the small SPM vocabulary is accepted");
    return std::move(tokenizer).value();
  }();
  static const std::unique_ptr<fab::Tokenizer> bpe = [] {
    auto tokenizer = fab::Tokenizer::Create(fab::fuzzing::MakeSmallBpeVocab("llama-bpe", ""));
    Require(tokenizer.ok(), "the small BPE vocabulary is accepted");
    return std::move(tokenizer).value();
  }();
  return which == 0 ? *spm : *bpe;
}

std::string StreamAllChecked(fab::StreamingDetokenizer& detokenizer,
                             const std::vector<TokenId>& ids) {
  std::string text;
  for (TokenId id : ids) {
    const std::string piece = detokenizer.Push(id);
    Require(fab::IsValidUtf8(piece), "every streamed piece is valid UTF-8");
    text += piece;
  }
  const std::string rest = detokenizer.Flush();
  Require(fab::IsValidUtf8(rest), "the flushed rest is valid UTF-8");
  return text + rest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  ++data;
  --size;
  const fab::Tokenizer& tokenizer = PickTokenizer(mode & 1);
  std::vector<TokenId> ids(size / sizeof(TokenId));
  if (!ids.empty()) std::memcpy(ids.data(), data, ids.size() * sizeof(TokenId));
  // Fold most ids into the vocabulary (near its end too) so decoding does
  // real work; every eighth keeps its raw value.
  const auto n_vocab = static_cast<uint32_t>(tokenizer.n_vocab());
  for (TokenId& id : ids) {
    if (id % 8 != 0) id = static_cast<TokenId>(static_cast<uint32_t>(id) % (n_vocab + 4));
  }
  const fab::DecodeOptions options{.strip_space_prefix = (mode & 2) != 0,
                                   .render_special = (mode & 4) != 0};
  (void)tokenizer.Decode(ids, options);

  // Streaming honours render_special but never strips the space prefix.
  fab::StreamingDetokenizer detokenizer(tokenizer, options);
  const std::string streamed = StreamAllChecked(detokenizer, ids);
  const fab::DecodeOptions stream_options{.render_special = options.render_special};
  Require(streamed == fab::SanitizeUtf8(tokenizer.Decode(ids, stream_options)),
          "streaming == SanitizeUtf8(Decode)");
  Require(StreamAllChecked(detokenizer, ids) == streamed, "a flushed detokenizer starts afresh");
  return 0;
}
