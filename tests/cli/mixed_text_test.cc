// GenerateMixedText: exact size, valid UTF-8, deterministic per seed, about
// half Hangul and half Latin letters, and varied (not one sentence repeated).
#include "cli/mixed_text.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "tokenizer/utf8.h"

namespace fab::cli {
namespace {

TEST(MixedText, HasExactlyTheAskedBytesOfValidUtf8) {
  for (size_t n_bytes : {0, 1, 2, 3, 100, 4097, 65536}) {
    const std::string text = GenerateMixedText(n_bytes, 7);
    EXPECT_EQ(text.size(), n_bytes);
    EXPECT_TRUE(IsValidUtf8(text)) << n_bytes;
  }
}

TEST(MixedText, IsTheSameForTheSameSeedAndDiffersForAnother) {
  EXPECT_EQ(GenerateMixedText(10000, 1), GenerateMixedText(10000, 1));
  EXPECT_NE(GenerateMixedText(10000, 1), GenerateMixedText(10000, 2));
}

TEST(MixedText, IsAboutHalfHangulAndHalfLatinLetters) {
  const std::string text = GenerateMixedText(1 << 18, 3);
  size_t n_hangul = 0, n_latin = 0;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    n_hangul += byte >= 0xEA && byte <= 0xED;  // lead bytes of U+AC00..U+D7A3
    n_latin += (byte | 0x20) >= 'a' && (byte | 0x20) <= 'z';
  }
  const double hangul_share = static_cast<double>(n_hangul) / (n_hangul + n_latin);
  EXPECT_GT(hangul_share, 0.45);
  EXPECT_LT(hangul_share, 0.55);
}

TEST(MixedText, HasDigitsPunctuationNewlinesAndManyDistinctLines) {
  const std::string text = GenerateMixedText(1 << 16, 4);
  EXPECT_NE(text.find_first_of("0123456789"), std::string::npos);
  EXPECT_NE(text.find_first_of(",.?!"), std::string::npos);
  std::set<std::string> lines;
  size_t n_lines = 0, start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    if (end == start) continue;  // paragraph breaks
    lines.insert(text.substr(start, end - start));
    ++n_lines;
  }
  EXPECT_GT(n_lines, 100u);
  EXPECT_GT(lines.size(), n_lines * 9 / 10) << "lines barely repeat";
}

}  // namespace
}  // namespace fab::cli
