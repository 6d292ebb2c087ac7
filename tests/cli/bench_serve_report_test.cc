#include "cli/bench_serve_report.h"

#include <limits>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace fab::cli {
namespace {

BenchServeResult SampleResult(int concurrency, double tokens_per_s) {
  BenchServeResult r;
  r.run = BenchServeRun{std::numeric_limits<double>::infinity(), concurrency};
  r.model = "tiny";
  r.seed = 9;
  r.metrics.n_completed = 64;
  r.metrics.output_throughput = tokens_per_s;
  r.metrics.ttft_s.p50 = 0.25;
  r.metrics.ttft_s.p99 = 1.5;
  r.metrics.tpot_s.p99 = 0.04;
  return r;
}

TEST(BenchServeReport, FormatsRatesAndConcurrency) {
  EXPECT_EQ(FormatRequestRate(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatRequestRate(2.5), "2.5");
  EXPECT_EQ(FormatRequestRate(4), "4");
  EXPECT_EQ(FormatConcurrency(0), "unlimited");
  EXPECT_EQ(FormatConcurrency(16), "16");
}

TEST(BenchServeReport, TableShowsTheVllmLines) {
  const std::string table = FormatRunTable(SampleResult(16, 123.4), SloSpec{2.0, 0.2});
  for (const char* line : {"Maximum request concurrency:", "Output token throughput (tok/s):", "123.40",
                           "Median TTFT (ms):", "250.00", "P99 TPOT (ms):", "40.00", "Goodput (req/s):",
                           "2000, 200"}) {
    EXPECT_NE(table.find(line), std::string::npos) << line << "\n" << table;
  }
}

TEST(BenchServeReport, JsonHasOneObjectPerRunWithConfigAndMilliseconds) {
  BenchServeOptions options;
  const std::string text = FormatRunsJson({SampleResult(1, 10), SampleResult(0, 20)}, options);
  const boost::json::value runs = boost::json::parse(text);
  ASSERT_EQ(runs.as_array().size(), 2u);
  EXPECT_EQ(runs.at(0).at("config").at("max_concurrency"), 1);
  EXPECT_TRUE(runs.at(1).at("config").at("max_concurrency").is_null());
  EXPECT_EQ(runs.at(0).at("config").at("request_rate"), "inf");
  EXPECT_EQ(runs.at(0).at("config").at("model"), "tiny");
  EXPECT_DOUBLE_EQ(runs.at(0).at("ttft_ms").at("p99").as_double(), 1500.0);
  EXPECT_EQ(runs.at(1).at("completed"), 64);
}

TEST(BenchServeReport, SweepSummaryHasALinePerRun) {
  const std::string summary = FormatSweepSummary({SampleResult(1, 10), SampleResult(16, 20)});
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 3);
  EXPECT_NE(summary.find("1500.0"), std::string::npos) << summary;
}

}  // namespace
}  // namespace fab::cli
