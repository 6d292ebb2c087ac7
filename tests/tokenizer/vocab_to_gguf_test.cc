// AddVocabMetadata → GGUF bytes → LoadVocabFromGguf gives back the same
// VocabData, for byte-level BPE with every optional field and for SPM
// vocabularies whose special ids are absent (where the reader has defaults).
#include "tokenizer/vocab_to_gguf.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/vocab_from_gguf.h"

namespace fab {
namespace {

VocabData ByteLevelVocab() {
  VocabData vocab;
  vocab.model = "gpt2";
  vocab.pre = "qwen2";
  vocab.normalizer = "nfc";
  vocab.tokens = {"a", "b", "ab", "Ġ", "Ġab", "<|im_start|>", "<|im_end|>", "<think>", "<|eom_id|>"};
  vocab.scores.assign(vocab.tokens.size(), 0.0f);
  vocab.token_types = {1, 1, 1, 1, 1, 3, 3, 4, 3};
  vocab.merges = {"a b", "Ġ ab"};
  vocab.bos_id = 5;
  vocab.eos_id = 6;
  vocab.eot_id = 6;
  vocab.eom_id = 8;
  vocab.unk_id = -1;
  vocab.pad_id = 7;
  vocab.add_bos = false;
  vocab.add_eos = true;
  vocab.add_space_prefix = false;
  vocab.chat_template = "{% for m in messages %}{{ m.content }}{% endfor %}";
  return vocab;
}

VocabData SpmVocabWithoutSpecialIds() {
  VocabData vocab;
  vocab.model = "llama";
  vocab.tokens = {"▁", "a", "b", "▁a", "<0x41>"};
  vocab.scores = {0.0f, 0.0f, 0.0f, -1.0f, 0.0f};
  vocab.token_types = {1, 1, 1, 1, 6};
  vocab.add_bos = false;
  vocab.add_space_prefix = false;
  return vocab;
}

void ExpectEqualVocab(const VocabData& a, const VocabData& b) {
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.pre, b.pre);
  EXPECT_EQ(a.normalizer, b.normalizer);
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.scores, b.scores);
  EXPECT_EQ(a.token_types, b.token_types);
  EXPECT_EQ(a.merges, b.merges);
  EXPECT_EQ(a.bos_id, b.bos_id);
  EXPECT_EQ(a.eos_id, b.eos_id);
  EXPECT_EQ(a.eot_id, b.eot_id);
  EXPECT_EQ(a.eom_id, b.eom_id);
  EXPECT_EQ(a.unk_id, b.unk_id);
  EXPECT_EQ(a.pad_id, b.pad_id);
  EXPECT_EQ(a.add_bos, b.add_bos);
  EXPECT_EQ(a.add_eos, b.add_eos);
  EXPECT_EQ(a.add_space_prefix, b.add_space_prefix);
  EXPECT_EQ(a.chat_template, b.chat_template);
}

// Writes `vocab` and reads it back.
StatusOr<VocabData> RoundTrip(const VocabData& vocab, std::vector<uint8_t>& bytes) {
  GgufWriter writer;
  AddVocabMetadata(vocab, writer);
  FAB_ASSIGN_OR_RETURN(bytes, writer.WriteToBytes());
  FAB_ASSIGN_OR_RETURN(GgufFile gguf, GgufFile::Parse(bytes.data(), bytes.size()));
  return LoadVocabFromGguf(gguf);
}

TEST(VocabToGguf, ByteLevelVocabularyRoundTripsWithEveryField) {
  const VocabData vocab = ByteLevelVocab();
  ASSERT_TRUE(ValidateVocabData(vocab).ok());
  std::vector<uint8_t> bytes;
  auto read = RoundTrip(vocab, bytes);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectEqualVocab(*read, vocab);
}

TEST(VocabToGguf, AbsentSpmSpecialIdsStayAbsentDespiteTheReadersDefaults) {
  const VocabData vocab = SpmVocabWithoutSpecialIds();
  ASSERT_TRUE(ValidateVocabData(vocab).ok());
  std::vector<uint8_t> bytes;
  auto read = RoundTrip(vocab, bytes);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectEqualVocab(*read, vocab);
  auto gguf = GgufFile::Parse(bytes.data(), bytes.size());
  ASSERT_TRUE(gguf.ok());
  EXPECT_EQ(gguf->Find("tokenizer.ggml.pre"), nullptr) << "empty fields are not written";
  EXPECT_EQ(gguf->Find("tokenizer.ggml.merges"), nullptr);
  EXPECT_EQ(gguf->Find("tokenizer.chat_template"), nullptr);
  EXPECT_EQ(gguf->Find("tokenizer.ggml.padding_token_id"), nullptr);
}

TEST(VocabToGguf, WritesLlamaCppKeyTypes) {
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(RoundTrip(ByteLevelVocab(), bytes).ok());
  auto gguf = GgufFile::Parse(bytes.data(), bytes.size());
  ASSERT_TRUE(gguf.ok());
  EXPECT_EQ(gguf->Find("tokenizer.ggml.bos_token_id")->type(), GgufValueType::kUint32);
  EXPECT_EQ(gguf->Find("tokenizer.ggml.token_type")->array_element_type(), GgufValueType::kInt32);
  EXPECT_EQ(gguf->Find("tokenizer.ggml.scores")->array_element_type(), GgufValueType::kFloat32);
  EXPECT_EQ(gguf->Find("tokenizer.ggml.add_bos_token")->type(), GgufValueType::kBool);
  EXPECT_EQ(*gguf->Find("tokenizer.ggml.merges")->AsArray()->at(1).AsString(), "Ġ ab");
}

}  // namespace
}  // namespace fab
