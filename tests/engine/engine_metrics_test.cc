// Per-request timings and counters, and the engine totals built from them:
// timings are ordered with one inter-token gap per token after the first;
// the totals in Stats() equal the sums over every request's summary;
// requests submitted together with a shared prompt prefix compute it once.
#include <gtest/gtest.h>

#include <numeric>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

struct Served {
  std::vector<RequestSummary> summaries;
  EngineStats stats;
};

// Submits `requests` together, cancels request `cancel_idx` at its first
// token (if >= 0; the step thread waits in that callback until the cancel is
// posted), drains the engine and collects every summary.
Served ServeTogether(const EngineConfig& config, std::vector<GenerationRequest> requests, int cancel_idx = -1) {
  Gate reached, resume;
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool, config);
  std::vector<std::shared_ptr<RecordingObserver>> observers;
  std::vector<std::shared_ptr<RequestObserver>> as_observers;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (static_cast<int>(i) == cancel_idx) {
      observers.push_back(ParkAt(1, reached, resume));
    } else {
      observers.push_back(std::make_shared<RecordingObserver>());
    }
    as_observers.push_back(observers.back());
  }
  StatusOr<std::vector<RequestId>> ids = engine->SubmitAll(std::move(requests), as_observers);
  EXPECT_TRUE(ids.ok()) << ids.status().ToString();
  if (ids.ok() && cancel_idx >= 0) {
    EXPECT_TRUE(reached.Wait());
    EXPECT_TRUE(engine->Cancel((*ids)[static_cast<size_t>(cancel_idx)]).ok());
    resume.Open();
  }
  engine->Shutdown(Clock::now() + kTestTimeout);
  Served served;
  for (const auto& observer : observers) {
    const std::optional<RequestSummary> summary = observer->WaitForFinish();
    EXPECT_TRUE(summary.has_value());
    if (summary) served.summaries.push_back(*summary);
    EXPECT_EQ(observer->tokens().size(), static_cast<size_t>(summary ? summary->counters.n_generated : -1));
  }
  served.stats = engine->Stats();
  return served;
}

std::vector<GenerationRequest> SharedPrefixRequests(int n, int64_t prefix_tokens, int32_t max_new_tokens) {
  const std::vector<TokenId> prefix = runtime::MakePrompt(prefix_tokens, 99);
  std::vector<GenerationRequest> requests;
  for (int i = 0; i < n; ++i) {
    std::vector<TokenId> prompt = prefix;
    for (TokenId token : runtime::MakePrompt(3 + 5 * i, 10 + i)) prompt.push_back(token);
    requests.push_back(GreedyRequest(std::move(prompt), max_new_tokens));
  }
  return requests;
}

TEST(EngineMetrics, TimingsAreOrderedWithOneGapPerTokenAfterTheFirst) {
  const Served served = ServeTogether(MakeTestConfig(), SharedPrefixRequests(5, 20, 9));
  ASSERT_EQ(served.summaries.size(), 5u);
  for (const RequestSummary& summary : served.summaries) {
    const RequestTimings& timings = summary.timings;
    ASSERT_TRUE(timings.started.has_value());
    ASSERT_TRUE(timings.first_token.has_value());
    EXPECT_LE(timings.submitted, *timings.started);
    EXPECT_LE(*timings.started, *timings.first_token);
    EXPECT_LE(*timings.first_token, timings.finished);
    ASSERT_EQ(summary.counters.n_generated, 9);
    ASSERT_EQ(timings.inter_token_gaps.size(), 8u);
    Clock::duration gaps{};
    for (Clock::duration gap : timings.inter_token_gaps) {
      EXPECT_GE(gap.count(), 0);
      gaps += gap;
    }
    EXPECT_LE(*timings.first_token + gaps, timings.finished);
    EXPECT_GE(timings.queue_seconds(), 0.0);
    EXPECT_LE(*timings.time_to_first_token_seconds(), timings.end_to_end_seconds());
  }
}

TEST(EngineMetrics, StatsTotalsEqualTheSumsOfTheSummaries) {
  // A small pool (preemptions), a shared prefix (cache hits) and one cancellation.
  const Served served = ServeTogether(MakeTestConfig(16 * 12), SharedPrefixRequests(8, 40, 24), /*cancel_idx=*/3);
  ASSERT_EQ(served.summaries.size(), 8u);
  RequestCounters sum;
  for (const RequestSummary& summary : served.summaries) {
    sum.n_prompt_tokens += summary.counters.n_prompt_tokens;
    sum.n_cached_prompt_tokens += summary.counters.n_cached_prompt_tokens;
    sum.n_generated += summary.counters.n_generated;
    sum.n_preemptions += summary.counters.n_preemptions;
    EXPECT_EQ(summary.counters.n_prompt_tokens, 40 + 3 + 5 * static_cast<int64_t>(&summary - served.summaries.data()));
  }
  const EngineStats& stats = served.stats;
  EXPECT_EQ(stats.n_prompt_tokens, sum.n_prompt_tokens);
  EXPECT_EQ(stats.n_cached_prompt_tokens, sum.n_cached_prompt_tokens);
  EXPECT_EQ(stats.n_generated_tokens, sum.n_generated);
  EXPECT_EQ(stats.n_preemptions, sum.n_preemptions);
  EXPECT_GT(stats.n_preemptions, 0);
  EXPECT_EQ(stats.n_prefix_query_tokens, sum.n_prompt_tokens) << "every request was admitted once at least";
  EXPECT_EQ(stats.n_prefix_hit_tokens, sum.n_cached_prompt_tokens);
  EXPECT_GT(stats.n_prefix_hit_tokens, 0);
  EXPECT_EQ(stats.n_submitted, 8);
  EXPECT_EQ(stats.n_finished, 8);
  EXPECT_EQ(stats.n_finished_by_reason[static_cast<size_t>(FinishReason::kCancelled)], 1);
  EXPECT_EQ(stats.n_finished_by_reason[static_cast<size_t>(FinishReason::kMaxTokens)], 7);
  EXPECT_EQ(stats.n_running + stats.n_waiting, 0);
  EXPECT_EQ(stats.n_kv_blocks_used, 0);
  EXPECT_GT(stats.n_kv_blocks_used_peak, 0);
  EXPECT_LE(stats.n_kv_blocks_used_peak, 12);
  EXPECT_EQ(stats.n_kv_blocks_total, 12);
  EXPECT_GT(stats.n_steps, 0);
}

TEST(EngineMetrics, RequestsSubmittedTogetherComputeASharedPrefixOnce) {
  // 64 shared tokens = 4 full blocks; the first request computes them, the others wait and reuse them.
  const Served served = ServeTogether(MakeTestConfig(), SharedPrefixRequests(4, 64, 3));
  ASSERT_EQ(served.summaries.size(), 4u);
  EXPECT_EQ(served.summaries[0].counters.n_cached_prompt_tokens, 0);
  for (size_t i = 1; i < served.summaries.size(); ++i) {
    EXPECT_EQ(served.summaries[i].counters.n_cached_prompt_tokens, 64) << "request " << i;
  }
}

}  // namespace
}  // namespace fab::engine
