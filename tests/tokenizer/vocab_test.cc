// ValidateVocabData on the byte-level BPE fields: merges, pre-tokenizer
// name, normalizer and EOM id. Every failure is a Status, never an abort.
#include "tokenizer/vocab.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_bpe_vocab.h"

namespace fab {
namespace {

VocabData ValidBpeVocab() {
  VocabData vocab = testing::MakeByteLevelVocab("llama-bpe");
  testing::AddBpeMerge(vocab, "a", "b");
  return vocab;
}

StatusCode ValidationCode(const VocabData& vocab) { return ValidateVocabData(vocab).code(); }

TEST(ValidateVocabData, AcceptsAByteLevelVocabulary) {
  EXPECT_EQ(ValidationCode(ValidBpeVocab()), StatusCode::kOk);
  VocabData qwen = ValidBpeVocab();
  qwen.pre = "qwen2";
  qwen.normalizer = "nfc";
  EXPECT_EQ(ValidationCode(qwen), StatusCode::kOk);
}

TEST(ValidateVocabData, RequiresMergesForByteLevelBpe) {
  VocabData vocab = ValidBpeVocab();
  vocab.merges.clear();
  EXPECT_EQ(ValidationCode(vocab), StatusCode::kInvalidArgument);
}

TEST(ValidateVocabData, RefusesMalformedMerges) {
  const std::vector<std::string> malformed = {
      "ab", " ab", "ab ", " ", "", "a\xFF b", std::string(2 * kMaxTokenTextBytes + 2, 'a')};
  for (const std::string& merge : malformed) {
    VocabData vocab = ValidBpeVocab();
    vocab.merges.push_back(merge);
    EXPECT_EQ(ValidationCode(vocab), StatusCode::kInvalidArgument) << merge.substr(0, 10);
  }
  VocabData two_spaces = ValidBpeVocab();
  two_spaces.merges.push_back("a  b");  // halves "a" and " b"
  EXPECT_EQ(ValidationCode(two_spaces), StatusCode::kOk);
}

TEST(ValidateVocabData, RefusesAnUnknownNormalizer) {
  VocabData vocab = ValidBpeVocab();
  vocab.normalizer = "nfkc";
  EXPECT_EQ(ValidationCode(vocab), StatusCode::kInvalidArgument);
}

TEST(ValidateVocabData, AcceptsOnlyShortPlainPreTokenizerNames) {
  VocabData vocab = ValidBpeVocab();
  vocab.pre = "some-future_family.v2";  // unknown but well formed: Create says Unimplemented
  EXPECT_EQ(ValidationCode(vocab), StatusCode::kOk);
  vocab.pre = "bad name";
  EXPECT_EQ(ValidationCode(vocab), StatusCode::kInvalidArgument);
  vocab.pre = std::string(kMaxPreTokenizerNameBytes + 1, 'a');
  EXPECT_EQ(ValidationCode(vocab), StatusCode::kInvalidArgument);
}

TEST(ValidateVocabData, RefusesAnEomIdOutsideTheVocabulary) {
  VocabData vocab = ValidBpeVocab();
  vocab.eom_id = static_cast<TokenId>(vocab.tokens.size());
  EXPECT_EQ(ValidationCode(vocab), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace fab
