// libFuzzer target for the byte-level BPE tokenizer. The first input byte
// picks the pre-tokenizer family (llama-bpe, qwen2 with NFC, gpt-2) of a
// small vocabulary learned at start-up (small_bpe_vocab.h), whether special
// tokens in the text are parsed, and whether BOS/EOS are added; the rest is
// the text. Properties, any failure aborts:
//   - Encode succeeds exactly for valid UTF-8 and gives only valid ids;
//   - encoding the same text twice gives the same ids (the word cache);
//   - tokenize(detokenize(tokenize(x))) == tokenize(x), and without a
//     normalizer detokenize(tokenize(x)) == x;
//   - add_special puts exactly BOS in front (llama-bpe adds BOS);
//   - the streaming detokenizer gives SanitizeUtf8 of Decode.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "small_bpe_vocab.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace {

using fab::TokenId;

using fab::fuzz::Require;

struct Family {
  const char* pre;
  const char* normalizer;
  bool add_bos;
};
constexpr Family kFamilies[] = {
    {"llama-bpe", "", true}, {"qwen2", "nfc", false}, {"gpt-2", "", false}};
constexpr int kNumFamilies = sizeof(kFamilies) / sizeof(kFamilies[0]);

const fab::Tokenizer& FamilyTokenizer(int family) {
  static const std::vector<std::unique_ptr<fab::Tokenizer>> tokenizers = [] {
    std::vector<std::unique_ptr<fab::Tokenizer>> all;
    for (const Family& each : kFamilies) {
      fab::VocabData vocab = fab::fuzzing::MakeSmallBpeVocab(each.pre, each.normalizer);
      vocab.add_bos = each.add_bos;
      auto tokenizer = fab::Tokenizer::Create(std::move(vocab));
      Require(tokenizer.ok(), "the small BPE vocabulary is accepted");
      all.push_back(std::move(tokenizer).value());
    }
    return all;
  }();
  return *tokenizers[family];
}

std::string StreamAll(const fab::Tokenizer& tokenizer, const std::vector<TokenId>& ids) {
  fab::StreamingDetokenizer detokenizer(tokenizer);
  std::string text;
  for (TokenId id : ids) text += detokenizer.Push(id);
  return text + detokenizer.Flush();
}

void CheckText(const fab::Tokenizer& tokenizer, std::string_view text, bool parse_special,
               bool add_special) {
  const fab::EncodeOptions options{.add_special = add_special, .parse_special = parse_special};
  auto ids = tokenizer.Encode(text, options);
  Require(ids.ok() == fab::IsValidUtf8(text), "Encode accepts exactly valid UTF-8");
  if (!ids.ok()) return;
  for (TokenId id : *ids) Require(tokenizer.IsValid(id), "Encode gives valid ids");
  auto again = tokenizer.Encode(text, options);
  Require(again.ok() && *again == *ids, "encoding twice gives the same ids");

  const fab::EncodeOptions plain{.add_special = false, .parse_special = parse_special};
  auto plain_ids = add_special ? tokenizer.Encode(text, plain) : ids;
  Require(plain_ids.ok(), "Encode without specials succeeds too");
  const size_t n_bos = add_special && tokenizer.add_bos() ? 1 : 0;
  Require(ids->size() == plain_ids->size() + n_bos &&
              std::equal(plain_ids->begin(), plain_ids->end(), ids->begin() + n_bos) &&
              (n_bos == 0 || ids->front() == tokenizer.bos_id()),
          "add_special adds just BOS in front");
  const std::string decoded = tokenizer.Decode(*plain_ids, {.render_special = parse_special});
  if (tokenizer.vocab().normalizer.empty()) {
    Require(decoded == text, "detokenize(tokenize(x)) == x");
  }
  auto reencoded = tokenizer.Encode(decoded, plain);
  Require(reencoded.ok() && *reencoded == *plain_ids,
          "tokenize(detokenize(tokenize(x))) == tokenize(x)");
  Require(StreamAll(tokenizer, *ids) == fab::SanitizeUtf8(tokenizer.Decode(*ids)),
          "streaming == SanitizeUtf8(Decode)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  CheckText(FamilyTokenizer(mode % kNumFamilies), text, /*parse_special=*/(mode & 0x10) != 0,
            /*add_special=*/(mode & 0x20) != 0);
  return 0;
}
