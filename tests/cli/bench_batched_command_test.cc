// Black-box tests of `tokenfab bench engine --concurrency`: the "batched"
// JSON rows (one per N, in order, with positive rates), the readable line
// per N, that the report is unchanged without --concurrency, and clear
// errors for bad values. Timings are never compared with each other.
#include <filesystem>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "cli/tokenfab_runner.h"

namespace fab::cli_test {
namespace {

namespace fs = std::filesystem;

// The demo model, synthesized once per test process.
const std::string& Model() {
  static const std::string path = [] {
    const std::string p = (ScratchDir("tokenfab_bench_batched_test") / "demo-q4_0.gguf").string();
    CommandResult r = RunTokenfabCommand("model synth --shape demo-tiny --quant q4_0 -t 2 -o " + p);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return p;
  }();
  return path;
}

TEST(BenchBatchedCommand, JsonHasOneBatchedRowPerConcurrency) {
  CommandResult r = RunTokenfabCommand(
      "bench engine -m " + Model() + " --concurrency 1,3 -p 16 -n 4 -t 1 -r 1 --json", /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  boost::json::object root = boost::json::parse(r.output).as_object();
  ASSERT_TRUE(root.contains("batched")) << r.output;
  const boost::json::array& rows = root.at("batched").as_array();
  ASSERT_EQ(rows.size(), 2u);
  const int expected_sequences[] = {1, 3};
  for (size_t i = 0; i < rows.size(); ++i) {
    const boost::json::object& row = rows[i].as_object();
    EXPECT_EQ(row.at("sequences").to_number<int>(), expected_sequences[i]);
    for (const char* key : {"pp_tps", "tg_tps", "ttft_p50_s", "ttft_p99_s"}) {
      EXPECT_GT(row.at(key).to_number<double>(), 0.0) << key << " in row " << i;
    }
    EXPECT_LE(row.at("ttft_p50_s").to_number<double>(), row.at("ttft_p99_s").to_number<double>());
  }
}

TEST(BenchBatchedCommand, SharedPrefixRunsPrintOneLinePerConcurrency) {
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() +
                                       " --concurrency 2,4 --shared-prefix 16 -p 24 -n 3 -t 1 -r 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("batched x2 (shared prefix 16)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("batched x4 (shared prefix 16)"), std::string::npos) << r.output;
}

TEST(BenchBatchedCommand, WithoutConcurrencyTheReportHasNoBatchedRows) {
  CommandResult r =
      RunTokenfabCommand("bench engine -m " + Model() + " -p 16 -n 4 -t 1 -r 1 --json", /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(boost::json::parse(r.output).as_object().contains("batched")) << r.output;
}

TEST(BenchBatchedCommand, RejectsZeroSequences) {
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() + " --concurrency 0 -p 16 -n 4");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--concurrency"), std::string::npos) << r.output;
}

TEST(BenchBatchedCommand, RejectsASharedPrefixLongerThanThePrompt) {
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() + " --concurrency 2 --shared-prefix 99 -p 16 -n 4");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("shared prefix 99 is longer than the prompt (16 tokens)"), std::string::npos) << r.output;
}

TEST(BenchBatchedCommand, RejectsBatchedRunsWithoutGeneratedTokens) {
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() + " --concurrency 2 -p 16 -n 0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("at least 1 generated token"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace fab::cli_test
