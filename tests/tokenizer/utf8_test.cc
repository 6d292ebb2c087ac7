// UTF-8 validation and scanning used by the tokenizers.
#include "tokenizer/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace fab {
namespace {

TEST(Utf8, AcceptsValidTextOfEveryLength) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xEC\x95\x88 \xF0\x9F\xA4\x96"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));
}

TEST(Utf8, RejectsOverlongsSurrogatesAndOutOfRangeCodePoints) {
  size_t offset = 0;
  EXPECT_FALSE(IsValidUtf8("ab\xC0\xAF", &offset));
  EXPECT_EQ(offset, 2u);
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x96"));  // truncated
}

TEST(Utf8, ScanReportsIncompletePrefixesAndMaximalInvalidParts) {
  Utf8Step step = ScanUtf8Char("\xF0\x9F");
  EXPECT_EQ(step.scan, Utf8Scan::kIncomplete);
  EXPECT_EQ(step.length, 2u);
  step = ScanUtf8Char("\xF0\x9F" "a");
  EXPECT_EQ(step.scan, Utf8Scan::kInvalid);
  EXPECT_EQ(step.length, 2u);
  step = ScanUtf8Char("\xE0\x80");
  EXPECT_EQ(step.scan, Utf8Scan::kInvalid);
  EXPECT_EQ(step.length, 1u);
}

TEST(Utf8, SanitizeReplacesEachInvalidPartOnce) {
  EXPECT_EQ(SanitizeUtf8("a\xF0\x9F" "b\xFF"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xEC\x95\x88"), "\xEC\x95\x88");
}

}  // namespace
}  // namespace fab
