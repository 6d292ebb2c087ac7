// Black-box tests of `tokenfab bench tokenize`: its JSON report, that it
// tokenizes exactly the text it is given (the token count matches
// `tokenize`), and clear errors. Timings are printed, never asserted on.
#include <filesystem>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "cli/tokenfab_runner.h"

namespace fab::cli_test {
namespace {

namespace fs = std::filesystem;

const fs::path& Dir() {
  static const fs::path dir = ScratchDir("tokenfab_bench_tokenize_test");
  return dir;
}

// A demo model with the generated SentencePiece vocabulary (written once).
const std::string& Model() {
  static const std::string path = [] {
    const std::string p = (Dir() / "demo.gguf").string();
    CommandResult r = RunTokenfabCommand("model synth --shape demo-tiny --quant q8_0 -t 2 -o " + p);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return p;
  }();
  return path;
}

TEST(BenchTokenizeCommand, ReportsJsonForTheGeneratedText) {
  CommandResult r = RunTokenfabCommand("bench tokenize -m " + Model() + " --mib 0.0625 --repeat 2 --json",
                                       false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  boost::json::object report = boost::json::parse(r.output).as_object();
  EXPECT_EQ(report.at("bytes").to_number<int64_t>(), 65536);
  EXPECT_GT(report.at("tokens").to_number<int64_t>(), 1000);
  EXPECT_EQ(report.at("repeat").to_number<int>(), 2);
  EXPECT_EQ(report.at("threads").to_number<int>(), 1);
  EXPECT_GT(report.at("best_s").to_number<double>(), 0.0);
  EXPECT_GE(report.at("median_s").to_number<double>(), report.at("best_s").to_number<double>());
  EXPECT_GT(report.at("mib_per_s").to_number<double>(), 0.0);
  std::printf("bench tokenize (demo vocabulary, 64 KiB): %s\n", r.output.c_str());
}

TEST(BenchTokenizeCommand, CountsTheSameTokensAsTokenizeForAFile) {
  const fs::path text = Dir() / "text.txt";
  WriteFile(text, "Hello, 세계! 토큰 1234개를 셉니다.");
  CommandResult bench = RunTokenfabCommand("bench tokenize -m " + Model() + " --file " + text.string() +
                                           " --repeat 1 --json", false);
  ASSERT_EQ(bench.exit_code, 0) << bench.output;
  CommandResult ids = RunTokenfabCommand("tokenize -m " + Model() + " --strings " + text.string(), false);
  ASSERT_EQ(ids.exit_code, 0) << ids.output;
  const size_t n_ids = boost::json::parse(ids.output).at("cases").as_array().at(0).at("ids").as_array().size();
  boost::json::object report = boost::json::parse(bench.output).as_object();
  EXPECT_EQ(report.at("bytes").to_number<uint64_t>(), fs::file_size(text));
  EXPECT_EQ(report.at("tokens").to_number<uint64_t>(), n_ids);
}

TEST(BenchTokenizeCommand, PrintsOneHumanReadableLine) {
  CommandResult r = RunTokenfabCommand("bench tokenize -m " + Model() + " --mib 0.01 --repeat 1", false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("10485 bytes -> "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("MiB/s"), std::string::npos) << r.output;
}

TEST(BenchTokenizeCommand, RefusesTextThatIsNotUtf8AndBadArguments) {
  const fs::path bad = Dir() / "latin1.txt";
  WriteFile(bad, "caf\xE9");
  CommandResult r = RunTokenfabCommand("bench tokenize -m " + Model() + " --file " + bad.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("not valid UTF-8"), std::string::npos) << r.output;
  EXPECT_EQ(RunTokenfabCommand("bench tokenize -m " + Model() + " --repeat 0").exit_code, 2);
  EXPECT_EQ(RunTokenfabCommand("bench tokenize --mib 1").exit_code, 2) << "-m is required";
  CommandResult missing = RunTokenfabCommand("bench tokenize -m /nonexistent.gguf");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("/nonexistent.gguf"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace fab::cli_test
