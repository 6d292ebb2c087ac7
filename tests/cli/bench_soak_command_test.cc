// Black-box tests of `tokenfab bench soak`: a short soak on the demo model
// reports every request it accepted as finished (by reason), its cancels,
// and the memory figures against the budget; bad flags are usage errors.
// Nothing is asserted about speed or about the memory staying in budget
// (the demo model is smaller than the process itself).
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "cli/tokenfab_runner.h"

namespace fab::cli_test {
namespace {

const std::string& Model() {
  static const std::string path = SynthesizeDemoModel("tokenfab_bench_soak_test");
  return path;
}

TEST(BenchSoakCommand, JsonAccountsForEveryAcceptedRequest) {
  CommandResult r = RunTokenfabCommand("bench soak -m " + Model() +
                                           " --duration 1 --rate 30 --cancel-fraction 0.5 --kv-cache 2048"
                                           " --max-prompt 40 --max-gen 16 -t 1 --json",
                                       /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const boost::json::object root = boost::json::parse(r.output).as_object();
  int64_t n_finished = 0;
  for (const auto& [reason, count] : root.at("finished").as_object()) n_finished += count.to_number<int64_t>();
  EXPECT_EQ(n_finished, root.at("submitted").to_number<int64_t>());
  // A cancel that races with the step finishing its request is accepted but finds it done.
  EXPECT_LE(root.at("finished").as_object().at("cancelled").to_number<int64_t>(),
            root.at("cancels_sent").to_number<int64_t>() + root.at("cancelled_at_end").to_number<int64_t>());
  EXPECT_EQ(root.at("finished").as_object().at("error").to_number<int64_t>(), 0);
  EXPECT_EQ(root.at("kv_blocks_total").to_number<int64_t>(), 2048 / 16);
  EXPECT_LE(root.at("kv_blocks_peak").to_number<int64_t>(), 2048 / 16);
  EXPECT_GT(root.at("model_bytes").to_number<int64_t>(), 0);
  EXPECT_GT(root.at("kv_pool_bytes").to_number<int64_t>(), 0);
  EXPECT_GT(root.at("rss_peak_bytes").to_number<int64_t>(), 0);
  EXPECT_GT(root.at("load_hwm_bytes").to_number<int64_t>(), 0);
  EXPECT_TRUE(root.at("within_budget").is_bool());
}

TEST(BenchSoakCommand, PrintsTheMemoryLine) {
  CommandResult r = RunTokenfabCommand("bench soak -m " + Model() + " --duration 0.5 --rate 10 --max-gen 4 -t 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("memory: peak RSS"), std::string::npos) << r.output;
}

TEST(BenchSoakCommand, RejectsACancelFractionAboveOne) {
  CommandResult r = RunTokenfabCommand("bench soak -m " + Model() + " --duration 1 --cancel-fraction 2");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--cancel-fraction"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace fab::cli_test
