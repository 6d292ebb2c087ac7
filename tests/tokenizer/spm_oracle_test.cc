// Oracle test: our SPM tokenizer against python3-sentencepiece. Each test
// trains a BPE model with byte fallback with spm_train on text made from the
// shared corpus, dumps its pieces/scores/types and the ids sentencepiece
// gives every corpus string (tests/tools/spm_oracle.py), builds a "llama"
// VocabData from the dump and requires identical ids for every string.
// Skips when spm_train or python3's sentencepiece module is absent.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "oracle_support.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace fab {
namespace {

namespace json = boost::json;
using testing::IdComparison;
using testing::ShellQuote;

constexpr char kPython[] = "/usr/bin/python3";
constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581

struct TrainingOptions {
  int vocab_size;
  double character_coverage;  // below 1: rare characters fall back to bytes
  bool whitespace_only_pieces;
  bool byte_fallback = true;  // false: characters not in the vocabulary become <unk>
};

std::string AsciiLowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The words of `line` (split on ' ') in reverse order.
std::string ReverseWords(const std::string& line) {
  std::vector<std::string> words;
  size_t start = 0;
  for (size_t space; (space = line.find(' ', start)) != std::string::npos; start = space + 1) {
    words.push_back(line.substr(start, space - start));
  }
  words.push_back(line.substr(start));
  std::string out;
  for (auto word = words.rbegin(); word != words.rend(); ++word) {
    if (!out.empty()) out += ' ';
    out += *word;
  }
  return out;
}

// One sentence per line: every line of every corpus string, as written,
// ASCII-lowercased and with its words reversed.
void WriteTrainingText(const std::vector<std::string>& corpus, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  for (const std::string& text : corpus) {
    size_t start = 0;
    while (start <= text.size()) {
      const size_t end = std::min(text.find('\n', start), text.size());
      const std::string line = text.substr(start, end - start);
      if (!line.empty())
        out << line << '\n' << AsciiLowercase(line) << '\n' << ReverseWords(line) << '\n';
      start = end + 1;
    }
  }
}

std::string TrainCommand(const std::string& input, const std::string& model_prefix,
                         const TrainingOptions& options) {
  return "spm_train --input=" + ShellQuote(input) + " --model_prefix=" + ShellQuote(model_prefix) +
         " --model_type=bpe --normalization_rule_name=identity"
         " --remove_extra_whitespaces=false --add_dummy_prefix=true --split_digits=false"
         " --hard_vocab_limit=false --vocab_size=" +
         std::to_string(options.vocab_size) +
         " --character_coverage=" + std::to_string(options.character_coverage) +
         " --allow_whitespace_only_pieces=" + (options.whitespace_only_pieces ? "true" : "false") +
         " --byte_fallback=" + (options.byte_fallback ? "true" : "false");
}

// A "llama" vocabulary from spm_oracle.py's first line.
VocabData VocabFromDump(const json::value& dump) {
  VocabData vocab;
  vocab.model = "llama";
  vocab.add_bos = false;
  for (const json::value& piece : dump.at("pieces").as_array()) {
    vocab.tokens.emplace_back(piece.as_string());
  }
  for (const json::value& score : dump.at("scores").as_array()) {
    vocab.scores.push_back(static_cast<float>(score.to_number<double>()));
  }
  for (const json::value& type : dump.at("types").as_array()) {
    vocab.token_types.push_back(static_cast<int32_t>(type.to_number<int64_t>()));
  }
  for (size_t index = 0; index < vocab.tokens.size(); ++index) {
    const auto id = static_cast<TokenId>(index);
    if (vocab.token_types[index] == static_cast<int32_t>(TokenType::kUnknown)) vocab.unk_id = id;
    if (vocab.tokens[index] == "<s>") vocab.bos_id = id;
    if (vocab.tokens[index] == "</s>") vocab.eos_id = id;
  }
  return vocab;
}

class SpmOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::ProgramExists("spm_train")) GTEST_SKIP() << "spm_train not found (make deps)";
    if (std::system((std::string(kPython) + " -c 'import sentencepiece' 2>/dev/null").c_str()) !=
        0) {
      GTEST_SKIP() << kPython << " cannot import sentencepiece (make deps)";
    }
    corpus_ = testing::ReadCorpus();
    ASSERT_GE(corpus_.size(), 300u) << "cannot read " << testing::kCorpusPath;
  }

  // Trains a model, then compares our ids with sentencepiece's for every
  // corpus string and checks that Decode gives the string back.
  void CompareWithSentencePiece(const TrainingOptions& options, const std::string& name) {
    const testing::ScratchDir scratch;
    const std::string training_text = (scratch.path() / "train.txt").string();
    const std::string model_prefix = (scratch.path() / "spm").string();
    WriteTrainingText(corpus_, training_text);
    std::string train_log;
    ASSERT_EQ(
        testing::RunCommand(
            TrainCommand(training_text, model_prefix, options) + " 2>&1 | tail -n 3", &train_log),
        0);
    ASSERT_TRUE(std::filesystem::exists(model_prefix + ".model")) << "spm_train failed:\n"
                                                                  << train_log;

    std::string dump;
    const std::string oracle =
        std::string(kPython) + " " + ShellQuote(testing::kToolsDir + "/spm_oracle.py") + " " +
        ShellQuote(model_prefix + ".model") + " " + ShellQuote(testing::kCorpusPath);
    ASSERT_EQ(testing::RunCommand(oracle, &dump), 0) << oracle;
    std::optional<std::vector<json::value>> lines = testing::ParseJsonLines(dump);
    ASSERT_TRUE(lines.has_value()) << "spm_oracle.py wrote something other than JSON lines";
    ASSERT_EQ(lines->size(), corpus_.size() + 1);

    VocabData vocab = VocabFromDump(lines->front());
    ASSERT_GT(vocab.tokens.size(), 259u) << "expected specials, 256 bytes and merges";
    StatusOr<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::Create(std::move(vocab));
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();

    IdComparison comparison;
    int n_round_trip_failures = 0;
    for (size_t index = 0; index < corpus_.size(); ++index) {
      const std::string& text = corpus_[index];
      StatusOr<std::vector<TokenId>> ids = (*tokenizer)->Encode(text, /*add_bos=*/false);
      ASSERT_TRUE(ids.ok()) << "#" << index << ": " << ids.status().ToString();
      comparison.Add(index, text, *ids, testing::IdsOf((*lines)[index + 1]));
      // A literal U+2581 decodes to a space and <unk> to nothing, so such
      // texts cannot round-trip.
      const TokenId unk_id = (*tokenizer)->vocab().unk_id;
      if (text.find(kSpaceMarker) != std::string::npos ||
          std::find(ids->begin(), ids->end(), unk_id) != ids->end()) {
        continue;
      }
      const std::string decoded = (*tokenizer)->Decode(*ids, {.strip_space_prefix = true});
      if (decoded != text) {
        ++n_round_trip_failures;
        ADD_FAILURE() << "#" << index << " Decode(Encode(text)) gives "
                      << testing::JsonQuoted(decoded) << " for " << testing::JsonQuoted(text);
      }
    }
    std::printf("%s\n", comparison.Summary(name).c_str());
    EXPECT_EQ(comparison.n_mismatched(), 0) << comparison.Report(name);
    EXPECT_EQ(n_round_trip_failures, 0);
  }

  std::vector<std::string> corpus_;
};

TEST_F(SpmOracle, MatchesSentencePieceWithALargeVocabulary) {
  CompareWithSentencePiece(
      {.vocab_size = 2000, .character_coverage = 0.9995, .whitespace_only_pieces = true},
      "sentencepiece bpe 2000");
}

// Few merges, and the rarest 2% of characters left to byte fallback (0.98
// is the lowest coverage spm_train accepts; the corpus needs ~1030 pieces).
TEST_F(SpmOracle, MatchesSentencePieceWithFewMergesAndByteFallback) {
  CompareWithSentencePiece(
      {.vocab_size = 1100, .character_coverage = 0.98, .whitespace_only_pieces = false},
      "sentencepiece bpe 1100");
}

// Without byte fallback: the rarest characters become <unk>.
TEST_F(SpmOracle, MatchesSentencePieceWithUnknownCharacters) {
  CompareWithSentencePiece({.vocab_size = 1100,
                            .character_coverage = 0.98,
                            .whitespace_only_pieces = false,
                            .byte_fallback = false},
                           "sentencepiece bpe 1100, no byte fallback");
}

}  // namespace
}  // namespace fab
