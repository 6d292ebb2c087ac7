#include "tokenizer/byte_unicode.h"

#include <gtest/gtest.h>

#include <set>

namespace fab {
namespace {

TEST(ByteUnicode, MatchesGpt2sWellKnownCharacters) {
  EXPECT_EQ(ByteToUnicode(' '), U'\u0120');   // Ġ
  EXPECT_EQ(ByteToUnicode('\n'), U'\u010A');  // Ċ
  EXPECT_EQ(ByteToUnicode('\t'), U'\u0109');  // ĉ
  EXPECT_EQ(ByteToUnicode('A'), U'A');
  EXPECT_EQ(ByteToUnicode(0xAD), U'\u0143');  // the soft hyphen is the last remapped byte
  EXPECT_EQ(ByteToUnicode(0xE9), U'\u00E9');
  EXPECT_EQ(BytesToBpeText(" hello\n"), "\xC4\xA0hello\xC4\x8A");
}

TEST(ByteUnicode, IsABijectionOverAllBytes) {
  std::set<char32_t> seen;
  for (int byte = 0; byte < 256; ++byte) {
    const char32_t cp = ByteToUnicode(static_cast<uint8_t>(byte));
    EXPECT_TRUE(seen.insert(cp).second) << byte;
    EXPECT_EQ(UnicodeToByte(cp), static_cast<uint8_t>(byte));
  }
  EXPECT_FALSE(UnicodeToByte(U' ').has_value());  // a space is always written as Ġ
  EXPECT_FALSE(UnicodeToByte(U'\u4E00').has_value());
}

TEST(ByteUnicode, RoundTripsEveryByteString) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all.push_back(static_cast<char>(byte));
  EXPECT_EQ(BpeTextToBytes(BytesToBpeText(all)), all);
  EXPECT_EQ(BpeTextToBytes("\xEC\x95\x88"), std::nullopt);  // 안: no byte stands for it
  EXPECT_EQ(BpeTextToBytes("\xC4"), std::nullopt);          // truncated UTF-8
  EXPECT_EQ(BpeTextToBytes("a b"), std::nullopt);           // raw space is not a mapped character
}

}  // namespace
}  // namespace fab
