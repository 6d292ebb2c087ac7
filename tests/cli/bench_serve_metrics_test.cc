#include "cli/bench_serve_metrics.h"

#include <gtest/gtest.h>

namespace fab::cli {
namespace {

RequestRecord Record(double start, double first, std::vector<double> tokens, double end, int64_t n_out) {
  RequestRecord r;
  r.success = true;
  r.start_s = start;
  r.first_token_s = first;
  r.token_times_s = std::move(tokens);
  r.end_s = end;
  r.n_prompt_tokens = 10;
  r.n_output_tokens = n_out;
  return r;
}

TEST(BenchServeMetrics, SummaryOfNothingIsZero) {
  const LatencySummary s = Summarize({});
  EXPECT_EQ(s.n, 0);
  EXPECT_EQ(s.p99, 0);
}

TEST(BenchServeMetrics, TpotIsTimeAfterTheFirstTokenPerFurtherToken) {
  // e2e 2.5 s, TTFT 0.5 s, 5 tokens: (2.5 − 0.5) / 4.
  EXPECT_DOUBLE_EQ(TimePerOutputToken(Record(1.0, 1.5, {}, 3.5, 5)), 0.5);
  EXPECT_LT(TimePerOutputToken(Record(1.0, 1.5, {}, 3.5, 1)), 0);
  RequestRecord failed = Record(1.0, 1.5, {}, 3.5, 5);
  failed.success = false;
  EXPECT_LT(TimePerOutputToken(failed), 0);
}

TEST(BenchServeMetrics, RunMetricsCountThroughputsLatenciesAndGoodput) {
  RequestRecord failed;
  failed.error = "HTTP 503: busy";
  const std::vector<RequestRecord> records = {
      Record(0.0, 0.1, {0.1, 0.2, 0.3}, 0.3, 3),  // TTFT 0.1, TPOT 0.1: meets both SLOs
      Record(0.0, 3.0, {3.0, 3.1}, 3.1, 2),       // TTFT 3.0: misses the TTFT SLO
      Record(1.0, 1.2, {1.2, 2.2}, 2.2, 2),       // TPOT 1.0: misses the TPOT SLO
      Record(1.0, 1.5, {1.5}, 1.5, 1),            // no TPOT: meets both
      failed,
  };
  const RunMetrics m = ComputeRunMetrics(records, 4.0, SloSpec{2.0, 0.2});
  EXPECT_EQ(m.n_completed, 4);
  EXPECT_EQ(m.n_failed, 1);
  EXPECT_EQ(m.n_output_tokens, 8);
  EXPECT_EQ(m.n_prompt_tokens, 40);
  EXPECT_DOUBLE_EQ(m.request_throughput, 1.0);
  EXPECT_DOUBLE_EQ(m.output_throughput, 2.0);
  EXPECT_DOUBLE_EQ(m.total_token_throughput, 12.0);
  EXPECT_DOUBLE_EQ(m.goodput, 0.5);
  EXPECT_EQ(m.ttft_s.n, 4);
  EXPECT_DOUBLE_EQ(m.ttft_s.mean, (0.1 + 3.0 + 0.2 + 0.5) / 4);
  EXPECT_EQ(m.tpot_s.n, 3);
  EXPECT_EQ(m.itl_s.n, 4);  // 2 gaps + 1 + 1 + 0
  EXPECT_NEAR(m.itl_s.p99, 1.0, 0.05);
  EXPECT_EQ(m.first_errors, std::vector<std::string>({"HTTP 503: busy"}));
}

TEST(BenchServeMetrics, KeepsOnlyAFewDistinctErrors) {
  std::vector<RequestRecord> records(10);
  for (size_t i = 0; i < records.size(); ++i) records[i].error = "e" + std::to_string(i % 5);
  const RunMetrics m = ComputeRunMetrics(records, 1.0, SloSpec{});
  EXPECT_EQ(m.n_failed, 10);
  EXPECT_EQ(m.first_errors.size(), kMaxReportedErrors);
  EXPECT_EQ(m.output_throughput, 0);
}

}  // namespace
}  // namespace fab::cli
