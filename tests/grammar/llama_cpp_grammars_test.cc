// The example grammars of llama.cpp's grammars/ folder (d32676d7, MIT
// licence beside them in tests/grammar/data/llama_cpp/) compile, accept
// sentences of the kind each one's comments describe, and refuse near
// misses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "grammar/gbnf.h"
#include "grammar/matcher.h"

namespace fab::grammar {
namespace {

const std::filesystem::path kDir = std::filesystem::path(FAB_SOURCE_DIR) / "tests" / "grammar" / "data" / "llama_cpp";

struct Samples {
  const char* file;
  std::vector<std::string> accepted;
  std::vector<std::string> refused;
};

const std::vector<Samples>& AllSamples() {
  static const std::vector<Samples> samples = {
      {"arithmetic.gbnf", {"a+2*(b-3)=42\n", "x=1\ny = (z/4)\n"}, {"a+=1\n", "1+2\n"}},
      {"c.gbnf",
       {"int main(){return 0;}",
        "float f(int x){int y = x*2-1;while(y>0){y = y-1;}if(y==0){return y;}else{return -x;}}"},
       {"int main(){return 0}", "void main(){}"}},
      {"chess.gbnf", {"1. e4 e5\n2. Nf3 Nc6\n", "1. d4 Nf6\n2. c4 e6\n3. Nc3 Bb4+\n4. O-O-O exd8=Q#\n"},
       {"1. e9 e5\n2. d4 d5\n", "1. e4 e5\n"}},
      {"english.gbnf", {"Hello, world!", "It's 42 degrees (outside)."}, {"naïve", ""}},
      {"japanese.gbnf", {"こんにちは世界", "カタカナ、ひらがな。 漢字"}, {"hello", "日本 "}},
      {"json.gbnf", {R"({"a": [1, 2.5, "x\n"], "b": {"c": null}})", "{}"}, {"[1, 2]", R"({"a": })"}},
      {"json_arr.gbnf", {"[\n{\"a\": 1},\n{\"b\": true}]", "[\n]"}, {"[1, 2]", "{}"}},
      {"list.gbnf", {"- milk\n- 두부\n", "- one item\n"}, {"- \n", "* milk\n", "- a\r\n"}},
  };
  return samples;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(LlamaCppGrammars, EveryFileOfTheFolderIsCovered) {
  size_t n_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) n_files += entry.path().extension() == ".gbnf";
  EXPECT_EQ(n_files, AllSamples().size());
  EXPECT_TRUE(std::filesystem::exists(kDir / "LICENSE"));
}

TEST(LlamaCppGrammars, CompileAndAcceptTheirSentencesButNotNearMisses) {
  for (const Samples& s : AllSamples()) {
    auto grammar = ParseGbnf(ReadFile(kDir / s.file));
    ASSERT_TRUE(grammar.ok()) << s.file << ": " << grammar.status().ToString();
    auto compiled = CompiledGrammar::Compile(std::move(grammar).value());
    ASSERT_TRUE(compiled.ok()) << s.file;
    for (const std::string& text : s.accepted) {
      GrammarMatcher m(*compiled);
      EXPECT_TRUE(m.AcceptBytes(text) && m.IsComplete()) << s.file << " should accept: " << text;
    }
    for (const std::string& text : s.refused) {
      GrammarMatcher m(*compiled);
      EXPECT_FALSE(m.AcceptBytes(text) && m.IsComplete()) << s.file << " should refuse: " << text;
    }
  }
}

}  // namespace
}  // namespace fab::grammar
