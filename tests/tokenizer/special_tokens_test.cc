// Special tokens through the Tokenizer API, for byte-level BPE and SPM:
// parse_special on and off, user-defined tokens always split out, BOS/EOS
// from add_special, the end-of-generation ids and render_special.
#include "tokenizer/special_tokens.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "create_or_die.h"
#include "test_bpe_vocab.h"
#include "test_vocab.h"
#include "tokenizer/tokenizer.h"

namespace fab {
namespace {

using ::fab::testing::AddBpeMerge;
using ::fab::testing::AddBpeToken;
using ::fab::testing::MakeByteLevelVocab;
using Ids = std::vector<TokenId>;

using ::fab::testing::CreateOrDie;

Ids EncodeOrDie(const Tokenizer& tokenizer, std::string_view text, EncodeOptions options = {}) {
  StatusOr<Ids> ids = tokenizer.Encode(text, options);
  EXPECT_TRUE(ids.ok()) << ids.status().ToString();
  return ids.ok() ? *ids : Ids{};
}

Ids Concat(Ids first, const Ids& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

// A Llama-3-like byte-level vocabulary with BOS, EOS, a few control tokens
// and a user-defined one.
struct ChatVocab {
  VocabData vocab = MakeByteLevelVocab("llama-bpe");
  TokenId hi = AddBpeMerge(vocab, "h", "i");
  TokenId bos = AddBpeToken(vocab, "<|begin_of_text|>", TokenType::kControl);
  TokenId eos = AddBpeToken(vocab, "<|end_of_text|>", TokenType::kControl);
  TokenId eot = AddBpeToken(vocab, "<|eot_id|>", TokenType::kControl);
  TokenId header = AddBpeToken(vocab, "<|header|>", TokenType::kControl);
  TokenId header_long = AddBpeToken(vocab, "<|header|>x", TokenType::kControl);
  TokenId think = AddBpeToken(vocab, "<think>", TokenType::kUserDefined);

  ChatVocab() {
    vocab.bos_id = bos;
    vocab.eos_id = eos;
  }
};

TEST(SpecialTokens, ControlTextsStayTextUnlessParsed) {
  ChatVocab chat;
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(chat.vocab);
  const Ids plain = EncodeOrDie(*tokenizer, "hi<|eot_id|>");
  EXPECT_EQ(plain, Concat(Ids{chat.hi}, EncodeOrDie(*tokenizer, "<|eot_id|>")));
  EXPECT_EQ(std::count(plain.begin(), plain.end(), chat.eot), 0);
  EXPECT_EQ(EncodeOrDie(*tokenizer, "hi<|eot_id|>hi", {.parse_special = true}),
            (Ids{chat.hi, chat.eot, chat.hi}));
}

TEST(SpecialTokens, TheLongestControlTextWinsAtAPlace) {
  ChatVocab chat;
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(chat.vocab);
  EXPECT_EQ(EncodeOrDie(*tokenizer, "<|header|>xhi<|header|>hi", {.parse_special = true}),
            (Ids{chat.header_long, chat.hi, chat.header, chat.hi}));
}

TEST(SpecialTokens, UserDefinedTokensAreSplitOutEitherWay) {
  ChatVocab chat;
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(chat.vocab);
  const Ids expected = {chat.hi, chat.think, 'x', chat.think};
  EXPECT_EQ(EncodeOrDie(*tokenizer, "hi<think>x<think>"), expected);
  EXPECT_EQ(EncodeOrDie(*tokenizer, "hi<think>x<think>", {.parse_special = true}), expected);
  StatusOr<Ids> legacy = tokenizer->Encode("hi<think>x<think>", /*add_bos=*/false);
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(*legacy, expected);
}

TEST(SpecialTokens, AddSpecialAddsBosAndEosAsTheVocabularySays) {
  ChatVocab chat;
  chat.vocab.add_bos = true;
  std::unique_ptr<Tokenizer> bos_only = CreateOrDie(chat.vocab);
  EXPECT_EQ(EncodeOrDie(*bos_only, "hi", {.add_special = true}), (Ids{chat.bos, chat.hi}));
  EXPECT_EQ(EncodeOrDie(*bos_only, "hi"), (Ids{chat.hi}));
  EXPECT_EQ(EncodeOrDie(*bos_only, "", {.add_special = true}), (Ids{chat.bos}));

  chat.vocab.add_eos = true;
  std::unique_ptr<Tokenizer> both = CreateOrDie(chat.vocab);
  EXPECT_EQ(EncodeOrDie(*both, "hi", {.add_special = true}), (Ids{chat.bos, chat.hi, chat.eos}));
  // The bool overload adds BOS only, whatever add_eos says.
  StatusOr<Ids> legacy = both->Encode("hi", /*add_bos=*/true);
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(*legacy, (Ids{chat.bos, chat.hi}));

  chat.vocab.add_bos = false;
  chat.vocab.add_eos = false;
  std::unique_ptr<Tokenizer> neither = CreateOrDie(chat.vocab);
  EXPECT_EQ(EncodeOrDie(*neither, "hi", {.add_special = true}), (Ids{chat.hi}));
}

TEST(SpecialTokens, TheBoolOverloadRefusesBosWhenThereIsNone) {
  VocabData vocab = MakeByteLevelVocab("llama-bpe");
  AddBpeMerge(vocab, "h", "i");
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  EXPECT_EQ(tokenizer->Encode("hi", /*add_bos=*/true).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(SpecialTokens, EndOfGenerationHasEosEotEomAndKnownEndOfTurnControls) {
  ChatVocab chat;
  const TokenId eom = AddBpeToken(chat.vocab, "<|eom_id|>", TokenType::kControl);
  const TokenId im_end = AddBpeToken(chat.vocab, "<|im_end|>", TokenType::kControl);
  AddBpeToken(chat.vocab, "<end_of_turn>", TokenType::kNormal);  // not a control token
  const TokenId custom_eot = AddBpeToken(chat.vocab, "<my_eot>", TokenType::kControl);
  chat.vocab.eot_id = custom_eot;
  chat.vocab.eom_id = eom;
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(chat.vocab);
  const Ids expected = {chat.eos, chat.eot, eom, im_end, custom_eot};  // ascending ids
  EXPECT_EQ(Ids(tokenizer->end_of_generation_ids().begin(),
                tokenizer->end_of_generation_ids().end()),
            expected);
  for (TokenId id : expected) EXPECT_TRUE(tokenizer->IsEndOfGeneration(id)) << id;
  EXPECT_FALSE(tokenizer->IsEndOfGeneration(chat.bos));
  EXPECT_FALSE(tokenizer->IsEndOfGeneration(chat.header));
  EXPECT_FALSE(tokenizer->IsEndOfGeneration(-1));
}

TEST(SpecialTokens, EndIsNoEndOfGenerationWhereReturnEndsTheTurn) {
  ChatVocab chat;
  const TokenId end = AddBpeToken(chat.vocab, "<|end|>", TokenType::kControl);
  std::unique_ptr<Tokenizer> phi = CreateOrDie(chat.vocab);
  EXPECT_TRUE(phi->IsEndOfGeneration(end));

  const TokenId return_id = AddBpeToken(chat.vocab, "<|return|>", TokenType::kControl);
  const TokenId call = AddBpeToken(chat.vocab, "<|call|>", TokenType::kControl);
  std::unique_ptr<Tokenizer> gpt_oss = CreateOrDie(chat.vocab);
  EXPECT_FALSE(gpt_oss->IsEndOfGeneration(end));
  EXPECT_TRUE(gpt_oss->IsEndOfGeneration(return_id));
  EXPECT_TRUE(gpt_oss->IsEndOfGeneration(call));
}

TEST(SpecialTokens, RenderSpecialRoundTripsParsedText) {
  ChatVocab chat;
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(chat.vocab);
  const std::string text = "<|begin_of_text|>hi <think>x<|eot_id|>\n<|header|>x안";
  const Ids ids = EncodeOrDie(*tokenizer, text, {.parse_special = true});
  EXPECT_EQ(tokenizer->Decode(ids, {.render_special = true}), text);
  EXPECT_EQ(tokenizer->Decode(ids), "hi <think>x\n안");

  StreamingDetokenizer detokenizer(*tokenizer, {.render_special = true});
  std::string streamed;
  for (TokenId id : ids) streamed += detokenizer.Push(id);
  EXPECT_EQ(streamed + detokenizer.Flush(), text);
}

TEST(SpecialTokens, SpmParsesControlAndUnknownTextsAndPrefixesEachStretch) {
  VocabData vocab = testing::MakeSpecialsAndBytesVocab();
  const TokenId space_hi = testing::AddMergeChain(vocab, "\xE2\x96\x81hi", -1.0f);
  std::unique_ptr<Tokenizer> tokenizer = CreateOrDie(vocab);
  const Ids ids = EncodeOrDie(*tokenizer, "<s>hi</s><unk>hi", {.parse_special = true});
  EXPECT_EQ(ids, (Ids{testing::kTestBosId, space_hi, testing::kTestEosId, testing::kTestUnkId,
                      space_hi}));
  EXPECT_EQ(tokenizer->Decode(ids, {.render_special = true}), "<s> hi</s><unk> hi");
  const Ids unparsed = EncodeOrDie(*tokenizer, "<s>");
  EXPECT_EQ(std::count(unparsed.begin(), unparsed.end(), testing::kTestBosId), 0);
}

TEST(SpecialTokenSplitter, FindsTheLeftmostThenLongestText) {
  ChatVocab chat;
  tokenizer_internal::SpecialTokenSplitter splitter(chat.vocab);
  const std::string text = "ab<|header|>x<think>";
  std::optional<tokenizer_internal::SpecialTokenSplitter::Match> match =
      splitter.FindNext(text, 0, /*include_control=*/true);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->offset, 2u);
  EXPECT_EQ(match->length, 11u);
  EXPECT_EQ(match->id, chat.header_long);
  match = splitter.FindNext(text, 0, /*include_control=*/false);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->offset, 13u);
  EXPECT_EQ(match->id, chat.think);
  EXPECT_FALSE(splitter.FindNext(text, 14, true).has_value());
}

}  // namespace
}  // namespace fab
