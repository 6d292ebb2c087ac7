#include "cli/bench_serve_workload.h"

#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include "cli/tokenfab_runner.h"

namespace fab::cli {
namespace {

TEST(BenchServeWorkload, RandomPromptsHaveTheAskedLengthsAndIdRange) {
  RandomPromptSpec spec;
  spec.input_len = 150;
  spec.output_len = 64;
  spec.token_min = 100;
  spec.token_max = 110;
  const std::vector<BenchPrompt> prompts = MakeRandomPrompts(spec, 7, 0, 20);
  ASSERT_EQ(prompts.size(), 20u);
  for (const BenchPrompt& p : prompts) {
    EXPECT_EQ(p.n_prompt_tokens, 150);
    EXPECT_EQ(p.token_ids.size(), 150u);
    EXPECT_EQ(p.max_tokens, 64);
    for (const int32_t id : p.token_ids) {
      EXPECT_GE(id, 100);
      EXPECT_LT(id, 110);
    }
  }
}

TEST(BenchServeWorkload, RangeRatioSpreadsLengthsWithinBounds) {
  RandomPromptSpec spec;
  spec.input_len = 100;
  spec.output_len = 10;
  spec.range_ratio = 0.5;
  std::set<int64_t> input_lengths;
  for (const BenchPrompt& p : MakeRandomPrompts(spec, 1, 0, 200)) {
    EXPECT_GE(p.n_prompt_tokens, 50);
    EXPECT_LE(p.n_prompt_tokens, 150);
    EXPECT_GE(p.max_tokens, 5);
    EXPECT_LE(p.max_tokens, 15);
    input_lengths.insert(p.n_prompt_tokens);
  }
  EXPECT_GT(input_lengths.size(), 20u);
}

// Prefix caches work in blocks of 16 tokens: no two prompts may share one.
TEST(BenchServeWorkload, RandomPromptsAreFreshAcrossRequestsRunsAndSeeds) {
  const RandomPromptSpec spec;
  std::set<std::vector<int32_t>> first_blocks;
  size_t n_prompts = 0;
  for (const uint64_t seed : {0u, 1u}) {
    for (int64_t run = 0; run < 3; ++run) {
      for (const BenchPrompt& p : MakeRandomPrompts(spec, seed, run, 64)) {
        first_blocks.insert(std::vector<int32_t>(p.token_ids.begin(), p.token_ids.begin() + 16));
        ++n_prompts;
      }
    }
  }
  EXPECT_EQ(first_blocks.size(), n_prompts);
}

TEST(BenchServeWorkload, RandomPromptsAreReproducibleUnderASeed) {
  const RandomPromptSpec spec;
  EXPECT_EQ(MakeRandomPrompts(spec, 5, 2, 4)[3].token_ids, MakeRandomPrompts(spec, 5, 2, 4)[3].token_ids);
}

TEST(BenchServeWorkload, PoissonArrivalsAreReproducibleAndHaveTheRightMeanGap) {
  const int64_t n = 20000;
  const double rate = 4.0;
  const std::vector<double> arrivals = PoissonArrivals(n, rate, 3, 0);
  EXPECT_EQ(arrivals, PoissonArrivals(n, rate, 3, 0));
  EXPECT_NE(arrivals, PoissonArrivals(n, rate, 4, 0));
  EXPECT_EQ(arrivals[0], 0.0);
  for (size_t i = 1; i < arrivals.size(); ++i) ASSERT_GE(arrivals[i], arrivals[i - 1]);
  // The mean of n−1 exponential gaps of mean 0.25 s: standard error 0.25/√n ≈ 0.0018.
  const double mean_gap = arrivals.back() / static_cast<double>(n - 1);
  EXPECT_NEAR(mean_gap, 1.0 / rate, 0.01);
}

TEST(BenchServeWorkload, InfiniteRateSendsEverythingAtOnce) {
  for (const double t : PoissonArrivals(10, std::numeric_limits<double>::infinity(), 0, 0)) EXPECT_EQ(t, 0.0);
}

TEST(BenchServeWorkload, ReadsPlainAndJsonLinesDatasets) {
  const std::filesystem::path dir = cli_test::ScratchDir("bench_serve_workload");
  cli_test::WriteFile(dir / "prompts.txt", "Hello there\n\n{\"prompt\": \"From JSON\", \"x\": 1}\r\nLast");
  StatusOr<std::vector<std::string>> prompts = ReadDatasetPrompts((dir / "prompts.txt").string());
  ASSERT_TRUE(prompts.ok()) << prompts.status().ToString();
  EXPECT_EQ(*prompts, std::vector<std::string>({"Hello there", "From JSON", "Last"}));
  const std::vector<BenchPrompt> sent = MakeDatasetPrompts(*prompts, RandomPromptSpec{}, 0, 0, 4);
  EXPECT_EQ(sent[3].text, "Hello there");
  EXPECT_TRUE(sent[3].token_ids.empty());
}

TEST(BenchServeWorkload, RejectsBadDatasetsWithTheLine) {
  const std::filesystem::path dir = cli_test::ScratchDir("bench_serve_workload");
  cli_test::WriteFile(dir / "bad.jsonl", "ok\n{\"prompt\": 3}\n");
  StatusOr<std::vector<std::string>> bad = ReadDatasetPrompts((dir / "bad.jsonl").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().message();
  cli_test::WriteFile(dir / "empty.txt", "\n  \n");
  EXPECT_FALSE(ReadDatasetPrompts((dir / "empty.txt").string()).ok());
  EXPECT_FALSE(ReadDatasetPrompts((dir / "missing.txt").string()).ok());
}

}  // namespace
}  // namespace fab::cli
