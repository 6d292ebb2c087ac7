// LoadVocabFromGguf on small GGUF files built in memory: keys read, llama
// defaults for missing keys, and a Status (never a crash) for each kind of
// malformed tokenizer metadata.
#include "tokenizer/vocab_from_gguf.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

namespace fab {
namespace {

// Writes a GGUF v3 file with metadata only (no tensors). Each Put* call adds
// one key/value pair.
class TinyGgufBuilder {
 public:
  TinyGgufBuilder& PutString(std::string_view key, std::string_view value) {
    Key(key, kString);
    String(value);
    return *this;
  }
  TinyGgufBuilder& PutUint32(std::string_view key, uint32_t value) {
    Key(key, kUint32);
    Int(value, 4);
    return *this;
  }
  TinyGgufBuilder& PutBool(std::string_view key, bool value) {
    Key(key, kBool);
    Int(value ? 1 : 0, 1);
    return *this;
  }
  TinyGgufBuilder& PutStrings(std::string_view key, const std::vector<std::string>& values) {
    ArrayHeader(key, kString, values.size());
    for (const std::string& value : values) String(value);
    return *this;
  }
  TinyGgufBuilder& PutFloats(std::string_view key, const std::vector<float>& values) {
    ArrayHeader(key, kFloat32, values.size());
    for (float value : values) {
      uint32_t bits;
      std::memcpy(&bits, &value, 4);
      Int(bits, 4);
    }
    return *this;
  }
  TinyGgufBuilder& PutInt32s(std::string_view key, const std::vector<int32_t>& values) {
    ArrayHeader(key, kInt32, values.size());
    for (int32_t value : values) Int(static_cast<uint32_t>(value), 4);
    return *this;
  }

  // The whole file: header, then the key/value pairs.
  std::vector<uint8_t> Bytes() const {
    std::vector<uint8_t> file;
    auto put = [&file](uint64_t value, int n_bytes) {
      for (int index = 0; index < n_bytes; ++index) file.push_back((value >> (8 * index)) & 0xFF);
    };
    put(0x46554747, 4);  // "GGUF"
    put(3, 4);           // version
    put(0, 8);           // tensors
    put(n_kv_, 8);
    file.insert(file.end(), body_.begin(), body_.end());
    return file;
  }

 private:
  static constexpr uint32_t kUint32 = 4, kInt32 = 5, kFloat32 = 6, kBool = 7, kString = 8,
                            kArray = 9;

  void Int(uint64_t value, int n_bytes) {
    for (int index = 0; index < n_bytes; ++index) body_.push_back((value >> (8 * index)) & 0xFF);
  }
  void String(std::string_view text) {
    Int(text.size(), 8);
    body_.insert(body_.end(), text.begin(), text.end());
  }
  void Key(std::string_view key, uint32_t type) {
    ++n_kv_;
    String(key);
    Int(type, 4);
  }
  void ArrayHeader(std::string_view key, uint32_t element_type, size_t count) {
    Key(key, kArray);
    Int(element_type, 4);
    Int(count, 8);
  }

  std::vector<uint8_t> body_;
  uint64_t n_kv_ = 0;
};

const std::vector<std::string> kTokens = {"<unk>", "<s>", "</s>", "<0x41>", "\xE2\x96\x81" "a",
                                          "a"};

TinyGgufBuilder FullTokenizer() {
  TinyGgufBuilder builder;
  builder.PutString("tokenizer.ggml.model", "llama")
      .PutStrings("tokenizer.ggml.tokens", kTokens)
      .PutFloats("tokenizer.ggml.scores", {0, 0, 0, 0, -1, -2})
      .PutInt32s("tokenizer.ggml.token_type", {2, 3, 3, 6, 1, 1});
  return builder;
}

StatusOr<VocabData> Load(const TinyGgufBuilder& builder) {
  const std::vector<uint8_t> bytes = builder.Bytes();
  StatusOr<GgufFile> gguf = GgufFile::Parse(bytes.data(), bytes.size());
  if (!gguf.ok()) return gguf.status().WithContext("test file does not parse");
  return LoadVocabFromGguf(*gguf);
}

TEST(VocabFromGguf, ReadsEveryTokenizerKey) {
  TinyGgufBuilder builder = FullTokenizer();
  builder.PutUint32("tokenizer.ggml.bos_token_id", 2)
      .PutUint32("tokenizer.ggml.eos_token_id", 1)
      .PutUint32("tokenizer.ggml.eot_token_id", 5)
      .PutUint32("tokenizer.ggml.unknown_token_id", 0)
      .PutUint32("tokenizer.ggml.padding_token_id", 3)
      .PutBool("tokenizer.ggml.add_bos_token", false)
      .PutBool("tokenizer.ggml.add_eos_token", true)
      .PutBool("tokenizer.ggml.add_space_prefix", false);
  StatusOr<VocabData> vocab = Load(builder);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "llama");
  EXPECT_EQ(vocab->tokens, kTokens);
  EXPECT_EQ(vocab->scores, (std::vector<float>{0, 0, 0, 0, -1, -2}));
  EXPECT_EQ(vocab->token_types, (std::vector<int32_t>{2, 3, 3, 6, 1, 1}));
  EXPECT_EQ(vocab->bos_id, 2);
  EXPECT_EQ(vocab->eos_id, 1);
  EXPECT_EQ(vocab->eot_id, 5);
  EXPECT_EQ(vocab->unk_id, 0);
  EXPECT_EQ(vocab->pad_id, 3);
  EXPECT_FALSE(vocab->add_bos);
  EXPECT_TRUE(vocab->add_eos);
  EXPECT_FALSE(vocab->add_space_prefix);
}

TEST(VocabFromGguf, UsesLlamaDefaultsForMissingKeys) {
  TinyGgufBuilder builder;
  builder.PutString("tokenizer.ggml.model", "llama").PutStrings("tokenizer.ggml.tokens", kTokens);
  StatusOr<VocabData> vocab = Load(builder);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->scores, std::vector<float>(kTokens.size(), 0.0f));
  EXPECT_EQ(vocab->token_types, std::vector<int32_t>(kTokens.size(), 1));
  EXPECT_EQ(vocab->bos_id, 1);
  EXPECT_EQ(vocab->eos_id, 2);
  EXPECT_EQ(vocab->unk_id, 0);
  EXPECT_EQ(vocab->pad_id, -1);
  EXPECT_EQ(vocab->eot_id, -1);
  EXPECT_TRUE(vocab->add_bos);
  EXPECT_FALSE(vocab->add_eos);
  EXPECT_TRUE(vocab->add_space_prefix);
}

TEST(VocabFromGguf, TreatsAllOnesIdAsNoToken) {
  TinyGgufBuilder builder = FullTokenizer();
  builder.PutUint32("tokenizer.ggml.padding_token_id", 0xFFFFFFFF);
  StatusOr<VocabData> vocab = Load(builder);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->pad_id, -1);
}

TEST(VocabFromGguf, ReportsAFileWithoutATokenizer) {
  TinyGgufBuilder builder;
  builder.PutString("general.architecture", "llama");
  EXPECT_EQ(Load(builder).status().code(), StatusCode::kNotFound);
}

TEST(VocabFromGguf, RejectsArraysOfTheWrongLength) {
  TinyGgufBuilder builder;
  builder.PutString("tokenizer.ggml.model", "llama")
      .PutStrings("tokenizer.ggml.tokens", kTokens)
      .PutFloats("tokenizer.ggml.scores", {0, 0, 0});
  EXPECT_EQ(Load(builder).status().code(), StatusCode::kInvalidArgument);

  TinyGgufBuilder types_builder;
  types_builder.PutString("tokenizer.ggml.model", "llama")
      .PutStrings("tokenizer.ggml.tokens", kTokens)
      .PutInt32s("tokenizer.ggml.token_type", {1, 1, 1, 1, 1, 1, 1});
  EXPECT_EQ(Load(types_builder).status().code(), StatusCode::kInvalidArgument);
}

TEST(VocabFromGguf, RejectsATokenIdOutsideTheVocabulary) {
  TinyGgufBuilder builder = FullTokenizer();
  builder.PutUint32("tokenizer.ggml.eos_token_id", 6);
  EXPECT_EQ(Load(builder).status().code(), StatusCode::kOutOfRange);
}

TEST(VocabFromGguf, RejectsValuesOfTheWrongType) {
  TinyGgufBuilder tokens_not_strings;
  tokens_not_strings.PutString("tokenizer.ggml.model", "llama")
      .PutInt32s("tokenizer.ggml.tokens", {1, 2, 3});
  EXPECT_EQ(Load(tokens_not_strings).status().code(), StatusCode::kInvalidArgument);

  TinyGgufBuilder tokens_not_array;
  tokens_not_array.PutString("tokenizer.ggml.model", "llama")
      .PutString("tokenizer.ggml.tokens", "a");
  EXPECT_EQ(Load(tokens_not_array).status().code(), StatusCode::kInvalidArgument);

  TinyGgufBuilder flag_not_bool = FullTokenizer();
  flag_not_bool.PutUint32("tokenizer.ggml.add_bos_token", 1);
  EXPECT_EQ(Load(flag_not_bool).status().code(), StatusCode::kInvalidArgument);

  TinyGgufBuilder model_not_string;
  model_not_string.PutUint32("tokenizer.ggml.model", 1)
      .PutStrings("tokenizer.ggml.tokens", kTokens);
  EXPECT_EQ(Load(model_not_string).status().code(), StatusCode::kInvalidArgument);
}

TEST(VocabFromGguf, RejectsTokensThatAreNotUtf8) {
  TinyGgufBuilder builder;
  builder.PutString("tokenizer.ggml.model", "llama")
      .PutStrings("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "\xFF"});
  EXPECT_EQ(Load(builder).status().code(), StatusCode::kInvalidArgument);
}

TEST(VocabFromGguf, RejectsAnEmptyVocabulary) {
  TinyGgufBuilder builder;
  builder.PutString("tokenizer.ggml.model", "llama").PutStrings("tokenizer.ggml.tokens", {});
  EXPECT_EQ(Load(builder).status().code(), StatusCode::kInvalidArgument);
}

TEST(TokenizerFromGguf, EncodesWithTheFileVocabulary) {
  const std::vector<uint8_t> bytes = FullTokenizer().Bytes();
  StatusOr<GgufFile> gguf = GgufFile::Parse(bytes.data(), bytes.size());
  ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::FromGguf(*gguf);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  StatusOr<std::vector<TokenId>> ids = (*tokenizer)->Encode("aA", /*add_bos=*/true);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<TokenId>{1, 4, 3}));  // <s> ▁a <0x41>
}

TinyGgufBuilder ByteLevelTokenizer(std::string_view pre) {
  TinyGgufBuilder builder;
  builder.PutString("tokenizer.ggml.model", "gpt2")
      .PutString("tokenizer.ggml.pre", pre)
      .PutStrings("tokenizer.ggml.tokens", {"a", "b", "ab", "<|eom_id|>"})
      .PutInt32s("tokenizer.ggml.token_type", {1, 1, 1, 3})
      .PutStrings("tokenizer.ggml.merges", {"a b"});
  return builder;
}

TEST(VocabFromGguf, ReadsTheByteLevelBpeKeys) {
  TinyGgufBuilder builder = ByteLevelTokenizer("qwen2");
  builder.PutUint32("tokenizer.ggml.eom_token_id", 3)
      .PutString("tokenizer.chat_template", "{{ messages }}");
  StatusOr<VocabData> vocab = Load(builder);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "gpt2");
  EXPECT_EQ(vocab->pre, "qwen2");
  EXPECT_EQ(vocab->merges, std::vector<std::string>{"a b"});
  EXPECT_EQ(vocab->eom_id, 3);
  EXPECT_EQ(vocab->chat_template, "{{ messages }}");
  EXPECT_EQ(vocab->normalizer, "nfc");  // the default for qwen2
  EXPECT_EQ(vocab->bos_id, -1);
  EXPECT_FALSE(vocab->add_bos);
  EXPECT_FALSE(vocab->add_space_prefix);
}

TEST(VocabFromGguf, TakesTheNormalizerKeyOverTheDefault) {
  TinyGgufBuilder qwen = ByteLevelTokenizer("qwen2");
  qwen.PutString("tokenizer.ggml.normalizer", "");
  StatusOr<VocabData> plain = Load(qwen);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->normalizer, "");

  TinyGgufBuilder llama = ByteLevelTokenizer("llama-bpe");
  StatusOr<VocabData> no_key = Load(llama);
  ASSERT_TRUE(no_key.ok()) << no_key.status().ToString();
  EXPECT_EQ(no_key->normalizer, "");

  TinyGgufBuilder unknown = ByteLevelTokenizer("llama-bpe");
  unknown.PutString("tokenizer.ggml.normalizer", "nfkd");
  EXPECT_EQ(Load(unknown).status().code(), StatusCode::kInvalidArgument);
}

TEST(VocabFromGguf, RejectsMalformedByteLevelKeys) {
  TinyGgufBuilder merges_not_strings;
  merges_not_strings.PutString("tokenizer.ggml.model", "gpt2")
      .PutStrings("tokenizer.ggml.tokens", {"a", "b", "ab"})
      .PutInt32s("tokenizer.ggml.merges", {1});
  EXPECT_EQ(Load(merges_not_strings).status().code(), StatusCode::kInvalidArgument);

  TinyGgufBuilder no_merges;
  no_merges.PutString("tokenizer.ggml.model", "gpt2")
      .PutStrings("tokenizer.ggml.tokens", {"a", "b", "ab"});
  EXPECT_EQ(Load(no_merges).status().code(), StatusCode::kInvalidArgument);

  TinyGgufBuilder pre_not_string = ByteLevelTokenizer("llama-bpe");
  pre_not_string.PutUint32("tokenizer.chat_template", 1);
  EXPECT_EQ(Load(pre_not_string).status().code(), StatusCode::kInvalidArgument);

  TinyGgufBuilder eom_out_of_range = ByteLevelTokenizer("llama-bpe");
  eom_out_of_range.PutUint32("tokenizer.ggml.eom_token_id", 4);
  EXPECT_EQ(Load(eom_out_of_range).status().code(), StatusCode::kOutOfRange);
}

TEST(TokenizerFromGguf, EncodesWithAByteLevelVocabulary) {
  const std::vector<uint8_t> bytes = ByteLevelTokenizer("llama-bpe").Bytes();
  StatusOr<GgufFile> gguf = GgufFile::Parse(bytes.data(), bytes.size());
  ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::FromGguf(*gguf);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  StatusOr<std::vector<TokenId>> ids = (*tokenizer)->Encode("abba", EncodeOptions{});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<TokenId>{2, 1, 0}));  // ab b a
  EXPECT_TRUE((*tokenizer)->IsEndOfGeneration(3));   // <|eom_id|> is a known end of turn
}

TEST(TokenizerFromGguf, RefusesAnUnsupportedModel) {
  TinyGgufBuilder builder;
  builder.PutString("tokenizer.ggml.model", "bert").PutStrings("tokenizer.ggml.tokens", kTokens);
  const std::vector<uint8_t> bytes = builder.Bytes();
  StatusOr<GgufFile> gguf = GgufFile::Parse(bytes.data(), bytes.size());
  ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
  EXPECT_EQ(Tokenizer::FromGguf(*gguf).status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace fab
