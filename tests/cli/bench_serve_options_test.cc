#include "cli/bench_serve_options.h"

#include <cmath>

#include <gtest/gtest.h>

namespace fab::cli {
namespace {

TEST(BenchServeOptions, PlansOneRunPerConcurrencyAndRateInOrder) {
  BenchServeOptions options;
  options.max_concurrency = {1, 4};
  options.request_rates = {"inf", "2.5"};
  StatusOr<std::vector<BenchServeRun>> runs = PlanBenchServeRuns(options);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 4u);
  EXPECT_EQ((*runs)[0].max_concurrency, 1);
  EXPECT_TRUE(std::isinf((*runs)[0].request_rate));
  EXPECT_EQ((*runs)[1].max_concurrency, 1);
  EXPECT_DOUBLE_EQ((*runs)[1].request_rate, 2.5);
  EXPECT_EQ((*runs)[3].max_concurrency, 4);
}

TEST(BenchServeOptions, DefaultsToOneUnlimitedRunAtInfiniteRate) {
  StatusOr<std::vector<BenchServeRun>> runs = PlanBenchServeRuns(BenchServeOptions{});
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].max_concurrency, 0);
}

TEST(BenchServeOptions, ParsesRequestRates) {
  EXPECT_TRUE(std::isinf(*ParseRequestRate("inf")));
  EXPECT_DOUBLE_EQ(*ParseRequestRate("0.5"), 0.5);
  for (const char* bad : {"", "0", "-1", "abc", "1x", "nan", "1e999"}) {
    EXPECT_FALSE(ParseRequestRate(bad).ok()) << bad;
  }
}

// Each mutation makes the options invalid; the error names the option.
struct BadOption {
  const char* flag;
  void (*mutate)(BenchServeOptions&);
};

TEST(BenchServeOptions, RejectsInvalidOptionsNamingThem) {
  const BadOption cases[] = {
      {"--base-url", [](BenchServeOptions& o) { o.base_url = "https://x"; }},
      {"--base-url", [](BenchServeOptions& o) { o.base_url = "localhost:8080"; }},
      {"--endpoint", [](BenchServeOptions& o) { o.endpoint = "/v1/embeddings"; }},
      {"--dataset", [](BenchServeOptions& o) { o.endpoint = "/v1/chat/completions"; }},
      {"--num-prompts", [](BenchServeOptions& o) { o.num_prompts = 0; }},
      {"--random-input-len", [](BenchServeOptions& o) { o.random_input_len = 0; }},
      {"--random-output-len", [](BenchServeOptions& o) { o.random_output_len = int64_t{1} << 40; }},
      {"--random-range-ratio", [](BenchServeOptions& o) { o.random_range_ratio = 1.5; }},
      {"--random-range-ratio", [](BenchServeOptions& o) { o.random_range_ratio = std::nan(""); }},
      {"--random-token-range", [](BenchServeOptions& o) { o.random_token_range = {500, 500}; }},
      {"--random-token-range", [](BenchServeOptions& o) { o.random_token_range = {-1, 10}; }},
      {"--num-prompts × --random-input-len", [](BenchServeOptions& o) {
         o.num_prompts = kMaxBenchPrompts;
         o.random_input_len = 1000;
       }},
      {"--ttft-slo-ms", [](BenchServeOptions& o) { o.ttft_slo_ms = -1; }},
      {"--request-rate", [](BenchServeOptions& o) { o.request_rates = {"inf", "-3"}; }},
      {"--request-rate", [](BenchServeOptions& o) { o.request_rates = {}; }},
      {"--max-concurrency", [](BenchServeOptions& o) { o.max_concurrency = {4, 0}; }},
      {"--max-concurrency", [](BenchServeOptions& o) { o.max_concurrency = {kMaxBenchWorkers + 1}; }},
  };
  for (const BadOption& c : cases) {
    BenchServeOptions options;
    c.mutate(options);
    StatusOr<std::vector<BenchServeRun>> runs = PlanBenchServeRuns(options);
    ASSERT_FALSE(runs.ok()) << c.flag;
    EXPECT_NE(runs.status().message().find(c.flag), std::string::npos) << runs.status().message();
  }
}

}  // namespace
}  // namespace fab::cli
