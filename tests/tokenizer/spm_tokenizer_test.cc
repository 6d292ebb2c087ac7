// SPM encoding on small hand-built vocabularies: merge order, ties, byte
// fallback, space handling, empty and invalid input, long input.
#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "create_or_die.h"
#include "test_vocab.h"
#include "tokenizer/tokenizer.h"

namespace fab {
namespace {

using ::fab::testing::AddPiece;
using ::fab::testing::ByteTokenId;
using ::fab::testing::kTestBosId;
using ::fab::testing::kTestUnkId;
using ::fab::testing::MakeSpecialsAndBytesVocab;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kSpace = "\xE2\x96\x81";  // U+2581

using ::fab::testing::CreateOrDie;

std::vector<TokenId> EncodeOrDie(const Tokenizer& tokenizer, std::string_view text,
                                 bool add_bos = false) {
  StatusOr<std::vector<TokenId>> ids = tokenizer.Encode(text, add_bos);
  EXPECT_TRUE(ids.ok()) << ids.status().ToString();
  return ids.ok() ? *ids : std::vector<TokenId>{};
}

TEST(SpmTokenizer, MergesTheHighestScoringPairFirst) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.add_space_prefix = false;
  const TokenId a = AddPiece(vocab, "a", -10.0f);
  const TokenId b = AddPiece(vocab, "b", -10.0f);
  const TokenId c = AddPiece(vocab, "c", -10.0f);
  const TokenId ab = AddPiece(vocab, "ab", -5.0f);
  const TokenId bc = AddPiece(vocab, "bc", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "abc"), ElementsAre(a, bc));

  vocab.scores[bc] = -6.0f;  // now "ab" wins
  tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "abc"), ElementsAre(ab, c));
  EXPECT_THAT(EncodeOrDie(*tokenizer, "ba"), ElementsAre(b, a));
}

TEST(SpmTokenizer, MergesRepeatedlyIntoLongerPieces) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  AddPiece(vocab, kSpace, -1.0f);
  AddPiece(vocab, "a", -1.0f);
  AddPiece(vocab, "b", -1.0f);
  AddPiece(vocab, "ab", -2.0f);
  AddPiece(vocab, std::string(kSpace) + "a", -3.0f);
  const TokenId space_ab = AddPiece(vocab, std::string(kSpace) + "ab", -4.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  // "▁ab": "ab" merges first (higher score), then "▁"+"ab" is a piece.
  EXPECT_THAT(EncodeOrDie(*tokenizer, "ab"), ElementsAre(space_ab));
  EXPECT_THAT(EncodeOrDie(*tokenizer, "ab ab"), ElementsAre(space_ab, space_ab));
}

TEST(SpmTokenizer, BreaksScoreTiesTowardTheLeftmostPair) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.add_space_prefix = false;
  const TokenId a = AddPiece(vocab, "a", -1.0f);
  const TokenId aa = AddPiece(vocab, "aa", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "aaa"), ElementsAre(aa, a));
  EXPECT_THAT(EncodeOrDie(*tokenizer, "aaaaa"), ElementsAre(aa, aa, a));
}

TEST(SpmTokenizer, PrependsTheSpaceMarkerAndEscapesSpaces) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  const TokenId space = AddPiece(vocab, kSpace, -1.0f);
  const TokenId space_a = AddPiece(vocab, std::string(kSpace) + "a", -1.0f);
  const TokenId a = AddPiece(vocab, "a", -2.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "a"), ElementsAre(space_a));
  EXPECT_THAT(EncodeOrDie(*tokenizer, " a"), ElementsAre(space, space_a));
  EXPECT_THAT(EncodeOrDie(*tokenizer, "a  a"), ElementsAre(space_a, space, space_a));

  vocab.add_space_prefix = false;
  tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "a a"), ElementsAre(a, space_a));
}

TEST(SpmTokenizer, MergesAcrossWordsWhenAPieceSpansThem) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  const TokenId space = AddPiece(vocab, kSpace, -1.0f);
  const TokenId a = AddPiece(vocab, "a", -1.0f);
  const TokenId a_space = AddPiece(vocab, std::string("a") + kSpace, -0.5f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  // "▁a▁a": the piece "a▁" joins the first word to the second one's space.
  EXPECT_THAT(EncodeOrDie(*tokenizer, "a a"), ElementsAre(space, a_space, a));
}

TEST(SpmTokenizer, FallsBackToByteTokensForCharactersOutsideTheVocabulary) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.add_space_prefix = false;
  const TokenId a = AddPiece(vocab, "a", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  // "é" is C3 A9; "안" is EC 95 88; "\n" is one byte.
  EXPECT_THAT(EncodeOrDie(*tokenizer, "a\xC3\xA9\n"),
              ElementsAre(a, ByteTokenId(0xC3), ByteTokenId(0xA9), ByteTokenId('\n')));
  EXPECT_THAT(EncodeOrDie(*tokenizer, "\xEC\x95\x88"),
              ElementsAre(ByteTokenId(0xEC), ByteTokenId(0x95), ByteTokenId(0x88)));
}

TEST(SpmTokenizer, UsesTheUnknownTokenWhenThereAreNoByteTokens) {
  VocabData vocab = MakeSpecialsAndBytesVocab(/*with_bytes=*/false);
  vocab.add_space_prefix = false;
  const TokenId a = AddPiece(vocab, "a", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "a\xC3\xA9" "a"), ElementsAre(a, kTestUnkId, a));

  vocab.unk_id = -1;
  tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(tokenizer->Encode("a\xC3\xA9", false).status().code(), StatusCode::kInvalidArgument);
}

// As sentencepiece (and Hugging Face's fuse_unk) do; spm_oracle_test.cc
// checks this against python3-sentencepiece.
TEST(SpmTokenizer, GivesOneUnknownTokenForARunOfUnknownCharacters) {
  VocabData vocab = MakeSpecialsAndBytesVocab(/*with_bytes=*/false);
  const TokenId a = AddPiece(vocab, "a", -1.0f);
  const TokenId space = AddPiece(vocab, kSpace, -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  // "é안" then "a", then "é" after a space.
  EXPECT_THAT(EncodeOrDie(*tokenizer, "\xC3\xA9\xEC\x95\x88" "a \xC3\xA9"),
              ElementsAre(space, kTestUnkId, a, space, kTestUnkId));
}

TEST(SpmTokenizer, NeverProducesControlTokensFromText) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.add_space_prefix = false;
  const TokenId open = AddPiece(vocab, "<", -1.0f);
  const TokenId s = AddPiece(vocab, "s", -1.0f);
  const TokenId close = AddPiece(vocab, ">", -1.0f);
  const TokenId open_s = AddPiece(vocab, "<s", -1.0f);  // "<s"+">" would spell the BOS text
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "<s>"), ElementsAre(open_s, close));
  EXPECT_THAT(EncodeOrDie(*tokenizer, "s<"), ElementsAre(s, open));
}

TEST(SpmTokenizer, EmptyTextGivesNoTokensOrJustBos) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "", /*add_bos=*/false), IsEmpty());
  EXPECT_THAT(EncodeOrDie(*tokenizer, "", /*add_bos=*/true), ElementsAre(kTestBosId));
}

TEST(SpmTokenizer, AddsBosOnlyWhenAsked) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.add_space_prefix = false;
  const TokenId a = AddPiece(vocab, "a", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_THAT(EncodeOrDie(*tokenizer, "a", true), ElementsAre(kTestBosId, a));
  EXPECT_THAT(EncodeOrDie(*tokenizer, "a", false), ElementsAre(a));

  vocab.bos_id = -1;
  vocab.add_bos = false;
  tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(tokenizer->Encode("a", true).status().code(), StatusCode::kFailedPrecondition);
}

TEST(SpmTokenizer, RejectsInvalidUtf8) {
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(MakeSpecialsAndBytesVocab());
  for (const char* bad : {"\xC3", "a\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\x80", "ok\xE2\x96"}) {
    EXPECT_EQ(tokenizer->Encode(bad, false).status().code(), StatusCode::kInvalidArgument)
        << "input: " << ::testing::PrintToString(std::string(bad));
  }
}

TEST(SpmTokenizer, EncodesOneHundredKibOfOneRepeatedCharacter) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  AddPiece(vocab, kSpace, -1.0f);
  const TokenId a = AddPiece(vocab, "a", -1.0f);
  const TokenId aa = AddPiece(vocab, "aa", -1.0f);
  const TokenId aaaa = AddPiece(vocab, "aaaa", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  const std::string text(100 * 1024, 'a');
  const std::vector<TokenId> ids = EncodeOrDie(*tokenizer, text);
  ASSERT_EQ(ids.size(), 1 + text.size() / 4);  // "▁" then "aaaa" each
  EXPECT_EQ(std::count(ids.begin() + 1, ids.end(), aaaa), static_cast<long>(text.size() / 4));
  EXPECT_EQ(tokenizer->Decode(ids), " " + text);
  (void)a;
  (void)aa;
}

TEST(SpmTokenizer, EncodesOneHundredKibOfOneMultiByteCharacterAsBytes) {
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(MakeSpecialsAndBytesVocab());
  std::string text;
  for (int index = 0; index < 100 * 1024 / 3; ++index) text += "\xEC\x95\x88";
  const std::vector<TokenId> ids = EncodeOrDie(*tokenizer, text);
  EXPECT_EQ(ids.size(), 3 + text.size());  // the unmatched "▁" is three bytes too
  EXPECT_EQ(tokenizer->Decode(ids), "\xE2\x96\x81" + text);
}

}  // namespace
}  // namespace fab
