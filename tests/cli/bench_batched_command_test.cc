// Black-box tests of `tokenfab bench engine --concurrency`: the "batched"
// JSON rows (one per N, in order, with positive rates), the readable line
// per N, the "prefix" object of --shared-prefix (cache hits and KV blocks),
// --kv-cache and --kv-dtype, that the report is unchanged without
// --concurrency, and clear errors for bad values. Timings are never
// compared with each other.
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
  static const std::string path = SynthesizeDemoModel("tokenfab_bench_batched_test");
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

TEST(BenchBatchedCommand, SharedPrefixJsonReportsCacheHitsAndKvBlocks) {
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() +
                                           " --concurrency 2,4 --shared-prefix 32 -p 40 -n 3 -t 1 -r 1 --json",
                                       /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const boost::json::object root = boost::json::parse(r.output).as_object();
  ASSERT_TRUE(root.contains("prefix")) << r.output;
  const boost::json::object& prefix = root.at("prefix").as_object();
  EXPECT_EQ(prefix.at("sequences").to_number<int>(), 4);
  EXPECT_EQ(prefix.at("shared_prefix").to_number<int>(), 32);
  EXPECT_EQ(prefix.at("prefix_blocks").to_number<int>(), 2);
  EXPECT_EQ(prefix.at("block_size").to_number<int>(), 16);
  // Sequences 2..4 each find both prefix blocks cached.
  EXPECT_EQ(prefix.at("cached_prompt_tokens").to_number<int>(), 3 * 32);
  // 4 × ceil(42 / 16) = 12 blocks unshared; sharing saves 3 × 2 of them.
  EXPECT_EQ(prefix.at("kv_blocks_unshared").to_number<int>(), 12);
  EXPECT_LE(prefix.at("kv_blocks_peak").to_number<int>(), 12 - 3 * 2);
  EXPECT_GT(prefix.at("kv_blocks_peak").to_number<int>(), 0);
  for (const char* key : {"cold_ttft_s", "warm_ttft_p50_s", "warm_ttft_p99_s", "warm_to_cold", "warm_idle_ttft_s",
                          "warm_idle_to_cold"}) {
    EXPECT_GT(prefix.at(key).to_number<double>(), 0.0) << key;
  }
}

TEST(BenchBatchedCommand, SharedPrefixPrintsThePrefixLines) {
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() +
                                       " --concurrency 3 --shared-prefix 16 -p 24 -n 2 -t 1 -r 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("prefix x3 (shared 16 of 24 prompt tokens"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("prefix KV:"), std::string::npos) << r.output;
}

TEST(BenchBatchedCommand, ASmallKvCacheInQ8StillCompletesEverySequence) {
  // 4 sequences of 16 + 8 tokens need 8 blocks; 96 tokens (6 blocks) force preemption.
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() +
                                           " --concurrency 4 -p 16 -n 8 -t 1 -r 1 --kv-cache 96 --kv-dtype q8_0 --json",
                                       /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const boost::json::object root = boost::json::parse(r.output).as_object();
  EXPECT_EQ(root.at("kv_dtype").as_string(), "q8_0");
  EXPECT_GT(root.at("batched").as_array()[0].as_object().at("tg_tps").to_number<double>(), 0.0);
}

TEST(BenchBatchedCommand, RejectsAnUnknownKvDtype) {
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() + " --concurrency 2 -p 16 -n 4 --kv-dtype q4_0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--kv-dtype"), std::string::npos) << r.output;
}

TEST(BenchBatchedCommand, RejectsAMalformedKvCacheSize) {
  CommandResult r = RunTokenfabCommand("bench engine -m " + Model() + " --concurrency 2 -p 16 -n 4 --kv-cache 12parsecs");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--kv-cache"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace fab::cli_test
