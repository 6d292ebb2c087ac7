// Tokenizer creation (vocabulary validation), decoding, token accessors and
// the streaming detokenizer, on small hand-built vocabularies.
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "create_or_die.h"
#include "test_vocab.h"
#include "tokenizer/tokenizer.h"

namespace fab {
namespace {

using ::fab::testing::AddMergeChain;
using ::fab::testing::AddPiece;
using ::fab::testing::ByteTokenId;
using ::fab::testing::kTestBosId;
using ::fab::testing::kTestEosId;
using ::fab::testing::kTestUnkId;
using ::fab::testing::MakeSpecialsAndBytesVocab;

constexpr const char* kSpace = "\xE2\x96\x81";  // U+2581
constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

StatusCode CreateError(VocabData vocab) {
  return Tokenizer::Create(std::move(vocab)).status().code();
}

using ::fab::testing::CreateOrDie;

TEST(TokenizerCreate, AcceptsAWellFormedVocabulary) {
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(MakeSpecialsAndBytesVocab());
  ASSERT_NE(tokenizer, nullptr);
  EXPECT_EQ(tokenizer->n_vocab(), 3 + 256);
  EXPECT_EQ(tokenizer->bos_id(), kTestBosId);
  EXPECT_EQ(tokenizer->eos_id(), kTestEosId);
  EXPECT_TRUE(tokenizer->add_bos());
}

TEST(TokenizerCreate, RejectsUnsupportedModels) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.model = "gpt2";
  vocab.merges = {"a b"};
  vocab.pre = "no-such-pre-tokenizer";
  EXPECT_EQ(CreateError(vocab), StatusCode::kUnimplemented);
  vocab.model = "no_such_model";
  EXPECT_EQ(CreateError(vocab), StatusCode::kUnimplemented);
}

TEST(TokenizerCreate, RejectsAnEmptyVocabulary) {
  VocabData vocab;
  vocab.model = "llama";
  vocab.add_bos = false;
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);
}

TEST(TokenizerCreate, RejectsArraysOfDifferentLengths) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.scores.pop_back();
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);
  vocab = MakeSpecialsAndBytesVocab();
  vocab.token_types.push_back(1);
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);
}

TEST(TokenizerCreate, RejectsSpecialIdsOutsideTheVocabulary) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.bos_id = static_cast<TokenId>(vocab.tokens.size());
  EXPECT_EQ(CreateError(vocab), StatusCode::kOutOfRange);
  vocab = MakeSpecialsAndBytesVocab();
  vocab.unk_id = -2;
  EXPECT_EQ(CreateError(vocab), StatusCode::kOutOfRange);
}

TEST(TokenizerCreate, RejectsAddBosWithoutABosToken) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  vocab.bos_id = -1;
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);
}

TEST(TokenizerCreate, RejectsBadTokens) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  AddPiece(vocab, "\xC3", 0.0f);  // truncated UTF-8
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);

  vocab = MakeSpecialsAndBytesVocab();
  AddPiece(vocab, "<0xZZ>", 0.0f, TokenType::kByte);
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);

  vocab = MakeSpecialsAndBytesVocab();
  vocab.token_types[5] = 7;
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);

  vocab = MakeSpecialsAndBytesVocab();
  AddPiece(vocab, "a", std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);

  vocab = MakeSpecialsAndBytesVocab();
  AddPiece(vocab, std::string(kMaxTokenTextBytes + 1, 'a'), 0.0f);
  EXPECT_EQ(CreateError(vocab), StatusCode::kInvalidArgument);
}

TEST(TokenizerTokens, MapsTokensToTheirTextAndBytes) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  const TokenId hello = AddPiece(vocab, std::string(kSpace) + "Hel" + kSpace + "lo", -1.0f);
  const TokenId user = AddPiece(vocab, std::string("<tool>") + kSpace, -1.0f,
                                TokenType::kUserDefined);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(tokenizer->TokenText(hello), std::string(kSpace) + "Hel" + kSpace + "lo");
  EXPECT_EQ(tokenizer->TokenBytes(hello), " Hel lo");
  EXPECT_EQ(tokenizer->TokenBytes(ByteTokenId(0x0A)), "\n");
  EXPECT_EQ(tokenizer->TokenBytes(ByteTokenId(0xEC)), "\xEC");
  EXPECT_EQ(tokenizer->TokenText(ByteTokenId(0x0A)), "<0x0A>");
  EXPECT_EQ(tokenizer->TokenBytes(kTestBosId), "");
  EXPECT_EQ(tokenizer->TokenBytes(kTestUnkId), "");
  EXPECT_EQ(tokenizer->TokenBytes(user), std::string("<tool>") + kSpace);
  EXPECT_EQ(tokenizer->TokenText(-1), "");
  EXPECT_EQ(tokenizer->TokenBytes(tokenizer->n_vocab()), "");
}

TEST(TokenizerTokens, KnowsValidAndEndOfGenerationIds) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  const TokenId eot = AddPiece(vocab, "<|eot|>", 0.0f, TokenType::kControl);
  vocab.eot_id = eot;
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_TRUE(tokenizer->IsEndOfGeneration(kTestEosId));
  EXPECT_TRUE(tokenizer->IsEndOfGeneration(eot));
  EXPECT_FALSE(tokenizer->IsEndOfGeneration(kTestBosId));
  EXPECT_FALSE(tokenizer->IsEndOfGeneration(-1));
  EXPECT_TRUE(tokenizer->IsValid(0));
  EXPECT_TRUE(tokenizer->IsValid(eot));
  EXPECT_FALSE(tokenizer->IsValid(eot + 1));
  EXPECT_FALSE(tokenizer->IsValid(-1));
}

TEST(TokenizerDecode, KeepsThePrefixSpaceUnlessAskedToStripIt) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  AddMergeChain(vocab, std::string(kSpace) + "Hello", -1.0f);
  AddMergeChain(vocab, std::string(kSpace) + "world", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  StatusOr<std::vector<TokenId>> ids = tokenizer->Encode("Hello world", /*add_bos=*/true);
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ(tokenizer->Decode(*ids), " Hello world");
  EXPECT_EQ(tokenizer->Decode(*ids, {.strip_space_prefix = true}), "Hello world");
}

TEST(TokenizerDecode, SkipsIdsOutsideTheVocabularyAndJoinsBytes) {
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(MakeSpecialsAndBytesVocab());
  const std::vector<TokenId> ids = {-5, ByteTokenId(0xEC), 1 << 30, ByteTokenId(0x95),
                                    ByteTokenId(0x88), kTestEosId};
  EXPECT_EQ(tokenizer->Decode(ids), "\xEC\x95\x88");
  EXPECT_EQ(tokenizer->Decode({}), "");
}

TEST(StreamingDetokenizer, HoldsACharacterSplitOverByteTokensUntilComplete) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  const TokenId hello = AddMergeChain(vocab, std::string(kSpace) + "hi", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  StreamingDetokenizer detokenizer(*tokenizer);
  EXPECT_EQ(detokenizer.Push(hello), " hi");
  EXPECT_EQ(detokenizer.Push(ByteTokenId(0xEC)), "");
  EXPECT_EQ(detokenizer.Push(ByteTokenId(0x95)), "");
  EXPECT_EQ(detokenizer.Push(ByteTokenId(0x88)), "\xEC\x95\x88");  // 안
  EXPECT_EQ(detokenizer.Push(ByteTokenId('!')), "!");
  EXPECT_EQ(detokenizer.Flush(), "");
}

TEST(StreamingDetokenizer, FlushTurnsAnIncompleteCharacterIntoOneReplacement) {
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(MakeSpecialsAndBytesVocab());
  StreamingDetokenizer detokenizer(*tokenizer);
  EXPECT_EQ(detokenizer.Push(ByteTokenId('a')), "a");
  EXPECT_EQ(detokenizer.Push(ByteTokenId(0xF0)), "");
  EXPECT_EQ(detokenizer.Push(ByteTokenId(0x9F)), "");
  EXPECT_EQ(detokenizer.Flush(), kReplacement);
  EXPECT_EQ(detokenizer.Flush(), "");
  EXPECT_EQ(detokenizer.Push(ByteTokenId('b')), "b");  // reusable after Flush
}

TEST(StreamingDetokenizer, ReplacesBytesThatCanNeverFormACharacterAtOnce) {
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(MakeSpecialsAndBytesVocab());
  StreamingDetokenizer detokenizer(*tokenizer);
  EXPECT_EQ(detokenizer.Push(ByteTokenId(0xFF)), kReplacement);
  EXPECT_EQ(detokenizer.Push(ByteTokenId(0xEC)), "");
  // 'x' cannot continue the held lead byte: the lead is replaced, 'x' kept.
  EXPECT_EQ(detokenizer.Push(ByteTokenId('x')), std::string(kReplacement) + "x");
  EXPECT_EQ(detokenizer.Flush(), "");
}

TEST(StreamingDetokenizer, MatchesDecodeOnValidText) {
  VocabData vocab = MakeSpecialsAndBytesVocab();
  AddPiece(vocab, kSpace, -1.0f);
  AddMergeChain(vocab, std::string(kSpace) + "caf", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  StatusOr<std::vector<TokenId>> ids = tokenizer->Encode("caf\xC3\xA9 \xEC\x95\x88!", true);
  ASSERT_TRUE(ids.ok());
  StreamingDetokenizer detokenizer(*tokenizer);
  std::string streamed;
  for (TokenId id : *ids) streamed += detokenizer.Push(id);
  streamed += detokenizer.Flush();
  EXPECT_EQ(streamed, tokenizer->Decode(*ids));
  EXPECT_EQ(streamed, " caf\xC3\xA9 \xEC\x95\x88!");
}

}  // namespace
}  // namespace fab
