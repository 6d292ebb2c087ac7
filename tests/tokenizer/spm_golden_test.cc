// Golden test: the Llama-2 SentencePiece vocabulary of
// shared/models/llama-2-tiny-random.gguf must reproduce llama.cpp's ids for
// every string of shared/golden/tokenizer/tokenizer-llama2-spm.json (no BOS),
// and Decode must give the golden `detokenized` text, which keeps the
// leading space that the add_space_prefix marker decodes to.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_from_gguf.h"

namespace fab {
namespace {

namespace json = boost::json;

const std::string kModelPath = std::string(FAB_SHARED_DIR) + "/models/llama-2-tiny-random.gguf";
const std::string kGoldenPath =
    std::string(FAB_SHARED_DIR) + "/golden/tokenizer/tokenizer-llama2-spm.json";

struct GoldenCase {
  std::string text;
  std::vector<TokenId> ids;
  std::string detokenized;
};

std::vector<GoldenCase> ReadGoldenCases(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  const json::value root = json::parse(contents.str());
  std::vector<GoldenCase> cases;
  for (const json::value& item : root.at("cases").as_array()) {
    GoldenCase golden;
    golden.text = json::value_to<std::string>(item.at("text"));
    for (const json::value& id : item.at("ids").as_array()) {
      golden.ids.push_back(static_cast<TokenId>(id.to_number<int64_t>()));
    }
    golden.detokenized = json::value_to<std::string>(item.at("detokenized"));
    cases.push_back(std::move(golden));
  }
  return cases;
}

class SpmGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kModelPath) || !std::filesystem::exists(kGoldenPath)) {
      GTEST_SKIP() << "needs " << kModelPath << " and " << kGoldenPath << " (FAB_SHARED_DIR)";
    }
    StatusOr<GgufFile> gguf = GgufFile::Open(kModelPath);
    ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
    StatusOr<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::FromGguf(*gguf);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
    tokenizer_ = std::move(tokenizer).value();
    cases_ = ReadGoldenCases(kGoldenPath);
    ASSERT_FALSE(cases_.empty());
  }

  std::unique_ptr<Tokenizer> tokenizer_;
  std::vector<GoldenCase> cases_;
};

TEST_F(SpmGolden, LoadsTheLlama2Vocabulary) {
  EXPECT_EQ(tokenizer_->n_vocab(), 32000);
  EXPECT_EQ(tokenizer_->bos_id(), 1);
  EXPECT_EQ(tokenizer_->eos_id(), 2);
  EXPECT_TRUE(tokenizer_->add_bos());
  EXPECT_EQ(tokenizer_->TokenText(13), "<0x0A>");
  EXPECT_EQ(tokenizer_->TokenBytes(13), "\n");
  EXPECT_TRUE(tokenizer_->IsEndOfGeneration(2));
}

TEST_F(SpmGolden, EncodesEveryCaseToTheGoldenIds) {
  for (const GoldenCase& golden : cases_) {
    StatusOr<std::vector<TokenId>> ids = tokenizer_->Encode(golden.text, /*add_bos=*/false);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    EXPECT_EQ(*ids, golden.ids) << "text: " << golden.text;
  }
}

TEST_F(SpmGolden, DecodesEveryCaseToTheGoldenText) {
  for (const GoldenCase& golden : cases_) {
    EXPECT_EQ(tokenizer_->Decode(golden.ids), golden.detokenized) << "text: " << golden.text;
    EXPECT_EQ(tokenizer_->Decode(golden.ids, {.strip_space_prefix = true}), golden.text);
  }
}

TEST_F(SpmGolden, StreamsEveryCaseToTheGoldenText) {
  for (const GoldenCase& golden : cases_) {
    StreamingDetokenizer detokenizer(*tokenizer_);
    std::string streamed;
    for (TokenId id : golden.ids) streamed += detokenizer.Push(id);
    streamed += detokenizer.Flush();
    EXPECT_EQ(streamed, golden.detokenized) << "text: " << golden.text;
  }
}

TEST_F(SpmGolden, AddsBosFirstWhenAsked) {
  StatusOr<std::vector<TokenId>> ids = tokenizer_->Encode("Hello world", /*add_bos=*/true);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<TokenId>{1, 15043, 3186}));
  EXPECT_EQ(tokenizer_->Decode(*ids, {.strip_space_prefix = true}), "Hello world");
}

// The logits goldens record llama.cpp's prompt ids (with BOS) for each prompt.
TEST_F(SpmGolden, EncodesTheLogitsPromptsWithBos) {
  const std::string path = std::string(FAB_SHARED_DIR) + "/golden/logits/llama-2-tiny-random.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "needs " << path;
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  const json::value root = json::parse(contents.str());
  int n_prompts = 0;
  for (const json::value& item : root.at("cases").as_array()) {
    const std::string prompt = json::value_to<std::string>(item.at("prompt"));
    std::vector<TokenId> expected;
    for (const json::value& id : item.at("prompt_ids").as_array()) {
      expected.push_back(static_cast<TokenId>(id.to_number<int64_t>()));
    }
    StatusOr<std::vector<TokenId>> ids = tokenizer_->Encode(prompt, tokenizer_->add_bos());
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    EXPECT_EQ(*ids, expected) << "prompt: " << prompt;
    ++n_prompts;
  }
  EXPECT_GT(n_prompts, 0);
}

TEST_F(SpmGolden, LoadsTheSameVocabularyDirectly) {
  StatusOr<GgufFile> gguf = GgufFile::Open(kModelPath);
  ASSERT_TRUE(gguf.ok());
  StatusOr<VocabData> vocab = LoadVocabFromGguf(*gguf);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "llama");
  EXPECT_EQ(vocab->tokens.size(), 32000u);
  EXPECT_EQ(vocab->token_types[13], static_cast<int32_t>(TokenType::kByte));
  EXPECT_EQ(vocab->token_types[1], static_cast<int32_t>(TokenType::kControl));
  EXPECT_EQ(vocab->unk_id, 0);
  EXPECT_TRUE(vocab->add_space_prefix);
}

}  // namespace
}  // namespace fab
