#include "model/synth_vocab.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/vocab.h"
#include "tokenizer/vocab_to_gguf.h"

namespace fab::model {
namespace {

constexpr int32_t kTypeNormal = 1;
constexpr int32_t kTypeUnknown = 2;
constexpr int32_t kTypeControl = 3;
constexpr int32_t kTypeByte = 6;
constexpr const char* kWordPrefix = "\xE2\x96\x81";  // ▁

// The letter string of `index` among all strings of `length` letters a-z.
std::string LetterString(int64_t index, int length) {
  std::string s(static_cast<size_t>(length), 'a');
  for (int i = length - 1; i >= 0; --i) {
    s[static_cast<size_t>(i)] = static_cast<char>('a' + index % 26);
    index /= 26;
  }
  return s;
}

}  // namespace

void AddGeneratedVocab(GgufWriter& writer, int64_t n_vocab) {
  VocabData vocab;
  vocab.model = "llama";
  auto add = [&](std::string text, float score, int32_t type) {
    if (static_cast<int64_t>(vocab.tokens.size()) >= n_vocab) return;
    vocab.tokens.push_back(std::move(text));
    vocab.scores.push_back(score);
    vocab.token_types.push_back(type);
  };
  add("<unk>", 0.0f, kTypeUnknown);
  add("<s>", 0.0f, kTypeControl);
  add("</s>", 0.0f, kTypeControl);
  char hex[8];
  for (int byte = 0; byte < 256; ++byte) {
    std::snprintf(hex, sizeof(hex), "<0x%02X>", byte);
    add(hex, 0.0f, kTypeByte);
  }
  add(kWordPrefix, -1.0f, kTypeNormal);
  // Longer strings get higher scores so that they win merges, like a trained
  // vocabulary where frequent long pieces come first.
  float score = -2.0f;
  for (int length = 1; static_cast<int64_t>(vocab.tokens.size()) < n_vocab; ++length) {
    int64_t count = 1;
    for (int i = 0; i < length; ++i) count *= 26;
    for (int64_t index = 0; index < count && static_cast<int64_t>(vocab.tokens.size()) < n_vocab; ++index) {
      std::string letters = LetterString(index, length);
      add(kWordPrefix + letters, static_cast<float>(length) * 10.0f + score, kTypeNormal);
      add(letters, static_cast<float>(length) * 10.0f + score - 0.5f, kTypeNormal);
      score -= 1e-4f;
    }
  }
  vocab.unk_id = 0;
  vocab.bos_id = 1;
  vocab.eos_id = 2;
  vocab.add_bos = true;
  vocab.add_eos = false;
  vocab.add_space_prefix = true;
  AddVocabMetadata(vocab, writer);
}

}  // namespace fab::model
