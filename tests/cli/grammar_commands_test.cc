// `tokenfab grammar check` says whether a GBNF file compiles, naming the
// line and column of a refusal; `tokenfab bench grammar --json` walks a
// grammar over a model's vocabulary and reports mask times, and refuses a
// text the grammar does not accept, saying where it leaves.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <boost/json.hpp>

#include "cli/tokenfab_runner.h"

namespace {

namespace fs = std::filesystem;
using fab::cli_test::RunTokenfabCommand;

fs::path TempDir() {
  fs::path dir = fs::temp_directory_path() / ("tokenfab_grammar_cli_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const fs::path path = TempDir() / name;
  std::ofstream(path) << text;
  return path.string();
}

// A small model whose vocabulary the bench masks.
const std::string& SmallModel() {
  static const std::string path = [] {
    const std::string p = (TempDir() / "demo.gguf").string();
    const auto r = RunTokenfabCommand("model synth --shape demo-tiny --quant q8_0 -t 2 -o " + p, true);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return p;
  }();
  return path;
}

TEST(GrammarCheck, ReportsTheSizeOfAGrammarThatCompiles) {
  const auto r = RunTokenfabCommand("grammar check --json --gbnf " + WriteFile("ok.gbnf", "root ::= [a-z]+ \"!\"?\n"),
                                    false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const boost::json::object result = boost::json::parse(r.output).as_object();
  EXPECT_TRUE(result.at("ok").as_bool());
  EXPECT_GE(result.at("rules").as_int64(), 2);
}

TEST(GrammarCheck, RefusesAMalformedGrammarNamingLineAndColumn) {
  const auto r = RunTokenfabCommand("grammar check --gbnf " + WriteFile("bad.gbnf", "root ::= item\nitem ::= \"a\" |\n  (\"b\"\n"),
                                    true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("GBNF line 4 column 1: expected ')'"), std::string::npos) << r.output;
  const auto missing = RunTokenfabCommand("grammar check --gbnf /nonexistent.gbnf", true);
  EXPECT_EQ(missing.exit_code, 1);
}

TEST(GrammarCheck, CompilesAJsonSchemaAndNamesAKeywordItRefuses) {
  const auto ok = RunTokenfabCommand(
      "grammar check --print --schema " +
          WriteFile("ok.schema.json", R"({"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}})"),
      false);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("root ::= "), std::string::npos) << ok.output;
  const auto refused = RunTokenfabCommand(
      "grammar check --schema " + WriteFile("bad.schema.json", R"({"type": "string", "not": {"const": "a"}})"), true);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("keyword 'not' is not supported"), std::string::npos) << refused.output;
  const auto not_json = RunTokenfabCommand("grammar check --schema " + WriteFile("x.json", "{oops"), true);
  EXPECT_EQ(not_json.exit_code, 1);
  EXPECT_NE(not_json.output.find("is not JSON"), std::string::npos) << not_json.output;
}

TEST(GrammarCheck, CompilesARegexAndNamesWhatItRefuses) {
  const auto ok = RunTokenfabCommand("grammar check --print --regex '[a-z]{2,4}-\\d+'", false);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("root ::= "), std::string::npos) << ok.output;
  const auto refused = RunTokenfabCommand("grammar check --regex '(?!x)y'", true);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("lookaround"), std::string::npos) << refused.output;
  const auto both = RunTokenfabCommand("grammar check --regex a --gbnf " + WriteFile("a.gbnf", "root ::= \"a\"\n"), true);
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_NE(both.output.find("give one of"), std::string::npos) << both.output;
}

TEST(BenchGrammar, TimesMasksAlongATextTheGrammarAccepts) {
  const std::string gbnf = WriteFile("list.gbnf", "root ::= \"[\" item (\", \" item)* \"]\"\nitem ::= [a-z0-9]+\n");
  const std::string text = WriteFile("list.txt", "[alpha, beta7, gamma, delta42]");
  const auto r = RunTokenfabCommand("bench grammar --json --repeat 2 -m " + SmallModel() + " --gbnf " + gbnf +
                                        " --text " + text,
                                    false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const boost::json::object result = boost::json::parse(r.output).as_object();
  EXPECT_GT(result.at("tokens").as_int64(), 0);
  EXPECT_GT(result.at("contexts").as_int64(), 0);
  EXPECT_GT(result.at("mask_us_p50").as_double(), 0.0);
  EXPECT_GE(result.at("mask_us_p99").as_double(), result.at("mask_us_p50").as_double());

  const auto wrong = RunTokenfabCommand("bench grammar -m " + SmallModel() + " --gbnf " + gbnf + " --text " +
                                            WriteFile("wrong.txt", "[alpha; beta]"),
                                        true);
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.output.find("the text leaves the grammar at token"), std::string::npos) << wrong.output;
}

}  // namespace
