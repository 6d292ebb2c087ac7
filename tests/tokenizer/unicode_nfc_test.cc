// NFC normalization (utf8proc) and its quick check.
#include "tokenizer/unicode_nfc.h"

#include <string>

#include <gtest/gtest.h>

namespace fab {
namespace {

std::string NfcOrDie(std::string_view text) {
  StatusOr<std::string> nfc = ToNfc(text);
  EXPECT_TRUE(nfc.ok()) << nfc.status().ToString();
  return nfc.ok() ? *nfc : std::string();
}

TEST(UnicodeNfc, ComposesCombiningMarksAndHangulJamo) {
  EXPECT_EQ(NfcOrDie("caf" "e\xCC\x81"), "caf\xC3\xA9");                          // é
  EXPECT_EQ(NfcOrDie("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), "\xEA\xB0\x81");  // 각
  EXPECT_EQ(NfcOrDie("\xEA\xB0\x80\xE1\x86\xA8"), "\xEA\xB0\x81");              // 가 + ᆨ
  EXPECT_EQ(NfcOrDie("\xE2\x84\xAB"), "\xC3\x85");  // Angstrom sign → Å
}

TEST(UnicodeNfc, LeavesNfcTextAlone) {
  const std::string text = "Hello, 세계! 中文 😀 \xC3\xA9";
  EXPECT_EQ(NfcOrDie(text), text);
  EXPECT_EQ(NfcOrDie(""), "");
}

TEST(UnicodeNfc, QuickCheckPassesOnlyTextThatIsSurelyNfc) {
  EXPECT_TRUE(IsQuickNfc("plain ASCII and Latin-1 \xC3\xA9"));
  EXPECT_TRUE(IsQuickNfc("\xEC\x95\x88\xEB\x85\x95 \xE4\xB8\xAD"));  // 안녕 中
  EXPECT_FALSE(IsQuickNfc("e\xCC\x81"));
  EXPECT_FALSE(IsQuickNfc("\xEA\xB0\x80\xE1\x86\xA8"));  // 가 + a trailing jamo
}

TEST(UnicodeNfc, RejectsInvalidUtf8) {
  EXPECT_EQ(ToNfc("\xCC").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fab
