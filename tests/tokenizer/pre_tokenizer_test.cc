// PreTokenizer: each family's split of hand-checked strings (the same
// pieces transformers.js gives with the families' tokenizer.json), and
// 1 MiB runs of one character of every class splitting correctly.
#include "tokenizer/pre_tokenizer.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace fab::tokenizer_internal {
namespace {

using Pieces = std::vector<std::string>;

Pieces SplitOrDie(std::string_view name, std::string_view text) {
  StatusOr<std::unique_ptr<PreTokenizer>> pre = PreTokenizer::Create(name);
  EXPECT_TRUE(pre.ok()) << pre.status().ToString();
  if (!pre.ok()) return {};
  std::vector<std::string_view> views;
  const Status status = (*pre)->Split(text, &views);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return Pieces(views.begin(), views.end());
}

TEST(PreTokenizer, SplitsLlama3Text) {
  EXPECT_EQ(SplitOrDie("llama-bpe", "Hello world's  123456 안녕하세요!!\r\n\n  x"),
            (Pieces{"Hello", " world", "'s", " ", " ", "123", "456", " 안녕하세요", "!!\r\n\n",
                    " ", " x"}));
  EXPECT_EQ(SplitOrDie("llama-bpe", "x=1234567;"), (Pieces{"x", "=", "123", "456", "7", ";"}));
  EXPECT_EQ(SplitOrDie("llama-bpe", "line1\r\nline2\r\n"),
            (Pieces{"line", "1", "\r\n", "line", "2", "\r\n"}));
}

TEST(PreTokenizer, SplitsContractionsOfEitherCaseButNotLongS) {
  // transformers.js spells (?i:'s|…) as explicit classes: "'ſ" is no contraction.
  EXPECT_EQ(SplitOrDie("llama-bpe", "I'M we'VE don't 'ſ"),
            (Pieces{"I", "'M", " we", "'VE", " don", "'t", " '", "ſ"}));
}

TEST(PreTokenizer, KeepsOneSpaceForTheNextWordInWhitespaceRuns) {
  EXPECT_EQ(SplitOrDie("llama-bpe", "a   b\t\tc  \n  d"),
            (Pieces{"a", "  ", " b", "\t", "\tc", "  \n", " ", " d"}));
}

TEST(PreTokenizer, KeepsEmojiZwjSequencesTogether) {
  const std::string family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
  const std::string thumbs = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";  // 👍🏽
  EXPECT_EQ(SplitOrDie("llama-bpe", family + " family" + thumbs),
            (Pieces{family, " family", thumbs}));
}

TEST(PreTokenizer, SplitsQwen2DigitsOneByOne) {
  EXPECT_EQ(SplitOrDie("qwen2", "x=1234567;"),
            (Pieces{"x", "=", "1", "2", "3", "4", "5", "6", "7", ";"}));
  EXPECT_EQ(SplitOrDie("qwen2", "안녕, 세상! 3.14"),
            (Pieces{"안녕", ",", " 세상", "!", " ", "3", ".", "1", "4"}));
}

TEST(PreTokenizer, SplitsGpt2TextWithSpacesBeforeDigits) {
  EXPECT_EQ(SplitOrDie("gpt-2", "Hello world's  123456 안녕!!\r\n  x"),
            (Pieces{"Hello", " world", "'s", " ", " 123456", " 안녕", "!!", "\r\n ", " x"}));
  EXPECT_EQ(SplitOrDie("default", "x=1234567;"), (Pieces{"x", "=", "1234567", ";"}));
}

TEST(PreTokenizer, AppliesDeepSeekV3StagesInSequence) {
  EXPECT_EQ(SplitOrDie("deepseek-v3", "中文English123456日本語カタカナ"),
            (Pieces{"中文", "English", "123", "456", "日本語カタカナ"}));
  EXPECT_EQ(SplitOrDie("deepseek-v3", "Hello, world! 1234 안녕"),
            (Pieces{"Hello", ",", " world", "!", " ", "123", "4", " 안녕"}));
}

TEST(PreTokenizer, SplitsGpt4oWordsAtCaseChanges) {
  EXPECT_EQ(SplitOrDie("gpt-4o", "HTTPServer camelCase I'M"),
            (Pieces{"HTTPServer", " camel", "Case", " I'M"}));
  EXPECT_EQ(SplitOrDie("gpt-4o", "x=1234567;\n/path//"),
            (Pieces{"x", "=", "123", "456", "7", ";\n/", "path", "//"}));
}

TEST(PreTokenizer, SplitsTekkenLikeGpt4oButWithoutContractionsAndOneDigitAPiece) {
  EXPECT_EQ(SplitOrDie("tekken", "HTTPServer camelCase I'M don't"),
            (Pieces{"HTTPServer", " camel", "Case", " I", "'M", " don", "'t"}));
  EXPECT_EQ(SplitOrDie("tekken", "x=1234567;\n/path//"),
            (Pieces{"x", "=", "1", "2", "3", "4", "5", "6", "7", ";\n/", "path", "//"}));
}

TEST(PreTokenizer, TreatsTheByteOrderMarkAsWhiteSpaceLikeJavaScript) {
  EXPECT_EQ(SplitOrDie("llama-bpe", "a\xEF\xBB\xBF\xEF\xBB\xBF" "b"),
            (Pieces{"a", "\xEF\xBB\xBF", "\xEF\xBB\xBF" "b"}));
}

TEST(PreTokenizer, GivesNoPiecesForEmptyText) {
  EXPECT_TRUE(SplitOrDie("llama-bpe", "").empty());
}

TEST(PreTokenizer, RefusesAnUnknownNameByName) {
  const Status status = PreTokenizer::Create("falcon").status();
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented);
  EXPECT_NE(status.ToString().find("falcon"), std::string::npos);
}

struct LongRunCase {
  const char* character;
  // Pieces of a 1 MiB run per family: llama-bpe, qwen2, gpt-2, deepseek-v3, gpt-4o,
  // tekken (-1: one piece per character; -3: one per three characters).
  int pieces[6];
};

TEST(PreTokenizer, SplitsOneMibRunsOfOneCharacterOfEveryClass) {
  const char* const kFamilies[6] = {"llama-bpe",   "qwen2",  "gpt-2",
                                    "deepseek-v3", "gpt-4o", "tekken"};
  const LongRunCase kCases[] = {
      {" ", {1, 1, 1, 1, 1, 1}},
      {"\n", {1, 1, 1, 1, 1, 1}},
      {"a", {1, 1, 1, 1, 1, 1}},
      {"A", {1, 1, 1, 1, 1, 1}},
      {"7", {-3, -1, 1, -3, -3, -1}},
      {"!", {1, 1, 1, 1, 1, 1}},
      {"\xED\x95\x9C", {1, 1, 1, 1, 1, 1}},          // 한
      {"\xE4\xB8\xAD", {1, 1, 1, 1, 1, 1}},          // 中
      {"\xF0\x9F\x91\x8D", {1, 1, 1, 1, 1, 1}},      // 👍
      {"\x01", {1, 1, 1, 1, 1, 1}},
  };
  for (const LongRunCase& run : kCases) {
    const std::string_view character = run.character;
    const size_t n_chars = (size_t{1} << 20) / character.size();
    std::string text;
    for (size_t index = 0; index < n_chars; ++index) text.append(character);
    for (int family = 0; family < 6; ++family) {
      StatusOr<std::unique_ptr<PreTokenizer>> pre = PreTokenizer::Create(kFamilies[family]);
      ASSERT_TRUE(pre.ok());
      std::vector<std::string_view> pieces;
      ASSERT_TRUE((*pre)->Split(text, &pieces).ok());
      const int expected = run.pieces[family];
      const size_t n_expected = expected == -1   ? n_chars
                                : expected == -3 ? (n_chars + 2) / 3
                                                 : static_cast<size_t>(expected);
      EXPECT_EQ(pieces.size(), n_expected) << kFamilies[family] << " on " << run.character;
      std::string joined;
      for (std::string_view piece : pieces) joined.append(piece);
      EXPECT_EQ(joined == text, true) << kFamilies[family];
    }
  }
}

}  // namespace
}  // namespace fab::tokenizer_internal
