// Byte-level BPE ("gpt2") through the Tokenizer API on small hand-built
// vocabularies: merge order, pre-token boundaries, ignore_merges, bytes
// without merges, NFC, the word cache, decoding and streaming.
#include "tokenizer/bpe_tokenizer.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "create_or_die.h"
#include "test_bpe_vocab.h"
#include "tokenizer/tokenizer.h"

namespace fab {
namespace {

using ::fab::testing::AddBpeMerge;
using ::fab::testing::AddBpeToken;
using ::fab::testing::MakeByteLevelVocab;
using Ids = std::vector<TokenId>;

using ::fab::testing::CreateOrDie;

Ids EncodeOrDie(const Tokenizer& tokenizer, std::string_view text) {
  StatusOr<Ids> ids = tokenizer.Encode(text, EncodeOptions{});
  EXPECT_TRUE(ids.ok()) << ids.status().ToString();
  return ids.ok() ? *ids : Ids{};
}

// Unmerged bytes have the byte value as id (test_bpe_vocab.h).
Ids BytesOf(std::string_view text) {
  Ids ids;
  for (char c : text) ids.push_back(static_cast<uint8_t>(c));
  return ids;
}

TEST(BpeTokenizer, MergesTheLowestRankPairFirst) {
  VocabData b_then_a = MakeByteLevelVocab("qwen2");
  const TokenId bc = AddBpeMerge(b_then_a, "b", "c");
  AddBpeMerge(b_then_a, "a", "b");
  EXPECT_EQ(EncodeOrDie(*CreateOrDie(b_then_a), "abc"), (Ids{'a', bc}));

  VocabData a_then_b = MakeByteLevelVocab("qwen2");
  const TokenId ab = AddBpeMerge(a_then_b, "a", "b");
  AddBpeMerge(a_then_b, "b", "c");
  EXPECT_EQ(EncodeOrDie(*CreateOrDie(a_then_b), "abc"), (Ids{ab, 'c'}));
}

TEST(BpeTokenizer, BreaksRankTiesTowardTheLeftmostPair) {
  VocabData vocab = MakeByteLevelVocab("qwen2");
  const TokenId aa = AddBpeMerge(vocab, "a", "a");
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(EncodeOrDie(*tokenizer, "aaa"), (Ids{aa, 'a'}));
  EXPECT_EQ(EncodeOrDie(*tokenizer, "aaaaa"), (Ids{aa, aa, 'a'}));
}

TEST(BpeTokenizer, MergesRepeatedlyIntoLongerTokens) {
  VocabData vocab = MakeByteLevelVocab("qwen2");
  AddBpeMerge(vocab, "a", "b");
  AddBpeMerge(vocab, "ab", "c");
  const TokenId abcd = AddBpeMerge(vocab, "abc", "d");
  const TokenId space_abcd = AddBpeMerge(vocab, " ", "abcd");
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(EncodeOrDie(*tokenizer, "abcd abcd"), (Ids{abcd, space_abcd}));
}

TEST(BpeTokenizer, NeverMergesAcrossPreTokens) {
  VocabData vocab = MakeByteLevelVocab("gpt-2");
  AddBpeMerge(vocab, "a", "b");
  AddBpeMerge(vocab, "b", " ");  // "b" then a space: the space starts the next pre-token
  const TokenId space_a = AddBpeMerge(vocab, " ", "a");
  const TokenId twelve = AddBpeMerge(vocab, "1", "2");  // digits: a pre-token of their own
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(EncodeOrDie(*tokenizer, "b a"), (Ids{'b', space_a}));
  EXPECT_EQ(EncodeOrDie(*tokenizer, "b12"), (Ids{'b', twelve}));
}

TEST(BpeTokenizer, EmitsAVocabularyPreTokenWholeWhenThePreTokenizerIgnoresMerges) {
  // "abc" is a token that no merge chain reaches: only llama-bpe (Llama 3's
  // ignore_merges) produces it.
  for (const char* pre : {"llama-bpe", "qwen2"}) {
    VocabData vocab = MakeByteLevelVocab(pre);
    const TokenId ab = AddBpeMerge(vocab, "a", "b");
    const TokenId abc = AddBpeToken(vocab, "abc");
    std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
    const bool ignores_merges = std::string(pre) == "llama-bpe";
    EXPECT_EQ(EncodeOrDie(*tokenizer, "abc"), ignores_merges ? Ids{abc} : (Ids{ab, 'c'})) << pre;
    EXPECT_EQ(EncodeOrDie(*tokenizer, "abcd"), (Ids{ab, 'c', 'd'})) << pre;
  }
  EXPECT_TRUE(tokenizer_internal::PreTokenizer::IgnoresMerges("gpt-4o"));
  EXPECT_FALSE(tokenizer_internal::PreTokenizer::IgnoresMerges("deepseek-v3"));
}

TEST(BpeTokenizer, EncodesAnyBytesThroughTheirByteCharacters) {
  VocabData vocab = MakeByteLevelVocab("llama-bpe");
  AddBpeMerge(vocab, "x", "y");
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  const std::string text = "\xEC\x95\x88\n\t\x01 \xF0\x9F\x91\x8D";  // 안, controls, 👍
  EXPECT_EQ(EncodeOrDie(*tokenizer, text), BytesOf(text));
}

TEST(BpeTokenizer, UsesTheUnknownTokenForABytesWithoutAToken) {
  VocabData vocab = MakeByteLevelVocab("llama-bpe");
  AddBpeMerge(vocab, "x", "y");
  vocab.tokens['z'] = "<no z>";  // now no token stands for byte 'z'
  vocab.token_types['z'] = static_cast<int32_t>(TokenType::kControl);
  std::unique_ptr<Tokenizer> without_unknown = CreateOrDie(vocab);
  EXPECT_EQ(without_unknown->Encode("xyz", EncodeOptions{}).status().code(),
            StatusCode::kInvalidArgument);

  vocab.unk_id = AddBpeToken(vocab, "<unk>", TokenType::kUnknown);
  std::unique_ptr<Tokenizer> with_unknown = CreateOrDie(vocab);
  const TokenId xy = 256;
  EXPECT_EQ(EncodeOrDie(*with_unknown, "xyz"), (Ids{xy, vocab.unk_id}));
}

TEST(BpeTokenizer, DropsMergeRulesWhoseTokensAreMissing) {
  VocabData vocab = MakeByteLevelVocab("qwen2");
  const TokenId ab = AddBpeMerge(vocab, "a", "b");
  vocab.merges.push_back("x y");     // "xy" is no token
  vocab.merges.push_back("ab q");    // "abq" is no token
  vocab.merges.push_back("ab 😀");  // "😀" is no token
  StatusOr<std::unique_ptr<tokenizer_internal::BpeModel>> model =
      tokenizer_internal::BpeModel::Create(vocab);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->n_merges(), 1u);
  EXPECT_EQ(EncodeOrDie(*CreateOrDie(vocab), "xyabq"), (Ids{'x', 'y', ab, 'q'}));
}

TEST(BpeTokenizer, NormalizesToNfcWhenTheVocabularyAsks) {
  const std::string decomposed = "e\xCC\x81";  // e + U+0301
  const std::string composed = "\xC3\xA9";     // é
  VocabData vocab = MakeByteLevelVocab("qwen2");
  AddBpeMerge(vocab, "x", "y");
  std::unique_ptr<Tokenizer> plain = CreateOrDie(vocab);
  EXPECT_EQ(EncodeOrDie(*plain, decomposed), BytesOf(decomposed));
  vocab.normalizer = "nfc";
  std::unique_ptr<Tokenizer> nfc = CreateOrDie(vocab);
  EXPECT_EQ(EncodeOrDie(*nfc, decomposed), BytesOf(composed));
  // Hangul jamo compose into the syllable 각 (U+AC01).
  EXPECT_EQ(EncodeOrDie(*nfc, "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), BytesOf("\xEA\xB0\x81"));
}

TEST(BpeTokenizer, RepeatedWordsGiveTheSameIdsFromTheCache) {
  VocabData vocab = MakeByteLevelVocab("llama-bpe");
  AddBpeMerge(vocab, "l", "l");
  AddBpeMerge(vocab, "e", "ll");
  AddBpeMerge(vocab, " ", "h");
  AddBpeMerge(vocab, " h", "ell");
  AddBpeMerge(vocab, "o", "!");
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  const Ids word = EncodeOrDie(*tokenizer, " hello!");
  std::string text;
  Ids expected;
  for (int repeat = 0; repeat < 200; ++repeat) {
    text += " hello!";
    expected.insert(expected.end(), word.begin(), word.end());
  }
  EXPECT_EQ(EncodeOrDie(*tokenizer, text), expected);
  EXPECT_EQ(EncodeOrDie(*tokenizer, text), expected);  // now all from the cache
  std::vector<Ids> results(4);
  std::vector<std::thread> threads;
  for (Ids& result : results) {
    threads.emplace_back([&] { result = EncodeOrDie(*tokenizer, text); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Ids& result : results) EXPECT_EQ(result, expected);
}

TEST(BpeTokenizer, EncodesOneHundredKibOfOneRepeatedCharacter) {
  VocabData vocab = MakeByteLevelVocab("llama-bpe");
  AddBpeMerge(vocab, "a", "a");
  const TokenId aaaa = AddBpeMerge(vocab, "aa", "aa");
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(EncodeOrDie(*tokenizer, std::string(100 * 1024, 'a')), Ids(25 * 1024, aaaa));
}

TEST(BpeTokenizer, DecodesByteCharactersBackToBytes) {
  VocabData vocab = MakeByteLevelVocab("llama-bpe");
  const TokenId space_h = AddBpeMerge(vocab, " ", "h");
  AddBpeMerge(vocab, "\xEC\x95", "\x88");
  const TokenId user = AddBpeToken(vocab, "<think>", TokenType::kUserDefined);
  const TokenId control = AddBpeToken(vocab, "<|im_end|>", TokenType::kControl);
  const TokenId odd = AddBpeToken(vocab, "\xE2\x82\xAC");  // € stands for no byte
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(tokenizer->TokenText(space_h), "\xC4\xA0h");  // Ġh
  EXPECT_EQ(tokenizer->TokenBytes(space_h), " h");
  EXPECT_EQ(tokenizer->TokenBytes('\n'), "\n");
  EXPECT_EQ(tokenizer->TokenBytes(user), "<think>");
  EXPECT_EQ(tokenizer->TokenBytes(control), "");
  EXPECT_EQ(tokenizer->TokenBytes(odd), "\xE2\x82\xAC");
  const std::string text = "hi \xEC\x95\x88\xEB\x85\x95 hello\r\n\t 👍";
  EXPECT_EQ(tokenizer->Decode(EncodeOrDie(*tokenizer, text)), text);
}

TEST(BpeTokenizer, StreamsACharacterSplitOverByteTokens) {
  VocabData vocab = MakeByteLevelVocab("llama-bpe");
  AddBpeMerge(vocab, "x", "y");
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  const Ids ids = EncodeOrDie(*tokenizer, " \xEC\x95\x88");  // " 안": four byte tokens
  ASSERT_EQ(ids.size(), 4u);
  StreamingDetokenizer detokenizer(*tokenizer);
  EXPECT_EQ(detokenizer.Push(ids[0]), " ");
  EXPECT_EQ(detokenizer.Push(ids[1]), "");
  EXPECT_EQ(detokenizer.Push(ids[2]), "");
  EXPECT_EQ(detokenizer.Push(ids[3]), "\xEC\x95\x88");
  EXPECT_EQ(detokenizer.Flush(), "");
}

TEST(BpeTokenizer, RefusesAnUnknownPreTokenizerByName) {
  VocabData vocab = MakeByteLevelVocab("falcon");
  AddBpeMerge(vocab, "x", "y");
  const Status status = Tokenizer::Create(vocab).status();
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented);
  EXPECT_NE(status.ToString().find("falcon"), std::string::npos) << status.ToString();
}

TEST(BpeTokenizer, UsesTheDefaultPreTokenizerWhenNoneIsNamed) {
  VocabData vocab = MakeByteLevelVocab("");
  const TokenId space_12 = AddBpeMerge(vocab, " 1", "2");  // rank 0, usable once " 1" exists
  AddBpeMerge(vocab, " ", "1");
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  // GPT-2's " ?\p{N}+" keeps the space with the digits (Llama 3's would not).
  EXPECT_EQ(EncodeOrDie(*tokenizer, "a 12"), (Ids{'a', space_12}));
}

}  // namespace
}  // namespace fab
