// A small but realistic byte-level BPE ("gpt2") vocabulary for the fuzz
// targets: the 256 byte characters, merges learned at start-up from a fixed
// mixed Korean/English/code sample (so merges chain and compete across
// multi-byte characters, spaces, digits and punctuation), and special
// tokens: <|endoftext|> (BOS/EOS), <|im_start|>, <|im_end|> (control) and
// <think> (user-defined). Deterministic; built once per process.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/vocab.h"

namespace fab::fuzzing {

inline constexpr std::string_view kBpeSample =
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.\n"
    "I don't think they'll come, but we're ready and you've been there.\n"
    "int main() {\n    for (int i = 0; i < 100; ++i) {\n\tprintf(\"%d\\n\", i);\n    }\n}\n"
    "def tokenize(text):\n    return [t for t in text.split() if t]\n\n\n"
    "오늘 날씨가 정말 좋네요. 내일은 비가 온다고 합니다.\n"
    "안녕하세요, 만나서 반갑습니다! 안녕히 가세요.\n"
    "토크나이저는 한국어 문장을 토큰으로 나눕니다. 토큰 수가 적을수록 좋습니다.\n"
    "가격은 12,500원이고 2024년 3월 15일에 1234567890번 주문했다.\n"
    "서울 서울 서울 부산 부산 대구 인천 광주 대전 울산\n"
    "こんにちは世界 你好世界 Привет мир 😀👍🏽 🇰🇷\n"
    "    four spaces   three  two \t tab\r\n windows line\r\n"
    "https://example.com/path?query=1&lang=ko 3.14159 1,000,000\n";

inline constexpr int kBpeMergeRounds = 600;

// The sample cut into words the way GPT-2 style pre-tokenizers roughly do:
// a word starts at a space or after a newline; newlines stand alone. Each
// word is its sequence of byte characters.
inline std::vector<std::vector<std::string>> SampleWords() {
  std::vector<std::vector<std::string>> words;
  std::vector<std::string> word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (char c : kBpeSample) {
    if (c == ' ' || c == '\n') flush();
    word.push_back(BytesToBpeText(std::string_view(&c, 1)));
    if (c == '\n') flush();
  }
  flush();
  return words;
}

// Learns up to kBpeMergeRounds merges (most frequent adjacent pair first,
// ties to the smaller pair) and returns the vocabulary.
inline VocabData MakeSmallBpeVocab(std::string pre, std::string normalizer) {
  VocabData vocab;
  vocab.model = "gpt2";
  vocab.pre = std::move(pre);
  vocab.normalizer = std::move(normalizer);
  std::set<std::string> known;
  auto add_token = [&](const std::string& text, TokenType type) {
    if (!known.insert(text).second) return;
    vocab.tokens.push_back(text);
    vocab.scores.push_back(0.0f);
    vocab.token_types.push_back(static_cast<int32_t>(type));
  };
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    add_token(BytesToBpeText(std::string_view(&c, 1)), TokenType::kNormal);
  }
  std::vector<std::vector<std::string>> words = SampleWords();
  for (int round = 0; round < kBpeMergeRounds; ++round) {
    std::map<std::pair<std::string, std::string>, int> counts;
    for (const auto& symbols : words) {
      for (size_t index = 0; index + 1 < symbols.size(); ++index) {
        ++counts[{symbols[index], symbols[index + 1]}];
      }
    }
    const std::pair<std::string, std::string>* best = nullptr;
    int best_count = 1;  // a pair must occur at least twice
    for (const auto& [pair, count] : counts) {
      if (count > best_count) best = &pair, best_count = count;
    }
    if (best == nullptr) break;
    const auto [left, right] = *best;
    vocab.merges.push_back(left + " " + right);
    add_token(left + right, TokenType::kNormal);
    for (auto& symbols : words) {
      std::vector<std::string> merged;
      for (size_t index = 0; index < symbols.size(); ++index) {
        if (index + 1 < symbols.size() && symbols[index] == left && symbols[index + 1] == right) {
          merged.push_back(left + right);
          ++index;
        } else {
          merged.push_back(symbols[index]);
        }
      }
      symbols = std::move(merged);
    }
  }
  const auto end_of_text = static_cast<TokenId>(vocab.tokens.size());
  add_token("<|endoftext|>", TokenType::kControl);
  add_token("<|im_start|>", TokenType::kControl);
  add_token("<|im_end|>", TokenType::kControl);
  add_token("<think>", TokenType::kUserDefined);
  vocab.bos_id = end_of_text;
  vocab.eos_id = end_of_text;
  vocab.eot_id = end_of_text + 2;
  vocab.add_bos = false;
  vocab.add_space_prefix = false;
  return vocab;
}

}  // namespace fab::fuzzing
