#include "control/crypto.h"

#include <gtest/gtest.h>

#include <set>

namespace fab::control {
namespace {

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Sha256, MatchesTheFipsExampleForAbc) {
  EXPECT_EQ(HexEncode(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ConstantTimeEquals, ComparesBytesAndLengths) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Base62Encode, GivesOneWidthPerInputLength) {
  EXPECT_EQ(Base62Encode(std::string(32, '\0')), std::string(43, '0'));
  EXPECT_EQ(Base62Encode(std::string(32, '\xff')).size(), 43u);
  EXPECT_EQ(Base62Encode(std::string("\x00\x3d", 2)), "00z");  // 61
  EXPECT_EQ(Base62Encode(std::string("\x00\x3e", 2)), "010");  // 62
}

TEST(RandomBytes, ReturnsTheSizeAskedAndDiffersBetweenCalls) {
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) {
    StatusOr<std::string> bytes = RandomBytes(32);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->size(), 32u);
    seen.insert(*bytes);
  }
  EXPECT_EQ(seen.size(), 16u);
}

}  // namespace
}  // namespace fab::control
