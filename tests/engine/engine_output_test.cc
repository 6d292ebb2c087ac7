// The engine's greedy outputs equal each request's solo run through
// model::Session: 16 requests submitted from four threads at once, and the
// same under a pool small enough to force preemption with a shared prefix.
#include <gtest/gtest.h>

#include <thread>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

constexpr int kRequests = 16;
constexpr int kThreads = 4;
constexpr int32_t kNewTokens = 12;

std::vector<std::vector<TokenId>> Prompts(const std::vector<TokenId>& shared_prefix) {
  std::vector<std::vector<TokenId>> prompts;
  for (int i = 0; i < kRequests; ++i) {
    std::vector<TokenId> prompt = shared_prefix;
    for (TokenId token : runtime::MakePrompt(5 + 7 * i, 40 + i)) prompt.push_back(token);
    prompts.push_back(std::move(prompt));
  }
  return prompts;
}

// Submits every prompt from kThreads threads, waits for all, and checks each
// against its solo run. Returns the summaries.
std::vector<RequestSummary> ServeAndCompare(const EngineConfig& config, const std::vector<std::vector<TokenId>>& prompts) {
  const model::Model& model = runtime::SmallModel("llama");
  std::vector<std::vector<TokenId>> expected;
  {
    ThreadPool solo_pool(1);
    for (const std::vector<TokenId>& prompt : prompts) expected.push_back(runtime::GreedyAlone(model, solo_pool, prompt, kNewTokens));
  }
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool, config);
  std::vector<std::shared_ptr<RecordingObserver>> observers;
  for (size_t i = 0; i < prompts.size(); ++i) observers.push_back(std::make_shared<RecordingObserver>());
  std::vector<std::thread> submitters;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    submitters.emplace_back([&, thread_idx] {
      for (size_t i = static_cast<size_t>(thread_idx); i < prompts.size(); i += kThreads) {
        StatusOr<RequestId> id = engine->Submit(GreedyRequest(prompts[i], kNewTokens), observers[i]);
        EXPECT_TRUE(id.ok()) << id.status().ToString();
      }
    });
  }
  for (std::thread& submitter : submitters) submitter.join();
  std::vector<RequestSummary> summaries;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const std::optional<RequestSummary> summary = observers[i]->WaitForFinish();
    EXPECT_TRUE(summary.has_value()) << "request " << i << " did not finish";
    if (!summary) continue;
    EXPECT_EQ(summary->reason, FinishReason::kMaxTokens) << "request " << i;
    EXPECT_EQ(observers[i]->tokens(), expected[i]) << "request " << i;
    summaries.push_back(*summary);
  }
  return summaries;
}

TEST(EngineOutputs, SixteenRequestsFromFourThreadsMatchTheirSoloRuns) {
  const std::vector<RequestSummary> summaries = ServeAndCompare(MakeTestConfig(), Prompts({}));
  EXPECT_EQ(summaries.size(), static_cast<size_t>(kRequests));
  for (const RequestSummary& summary : summaries) EXPECT_EQ(summary.counters.n_preemptions, 0);
}

TEST(EngineOutputs, PreemptionAndPrefixSharingKeepEveryRequestsTokens) {
  // 20 blocks of 16 for 16 requests of 21..141 + 12 tokens: preemption is certain.
  const std::vector<RequestSummary> summaries =
      ServeAndCompare(MakeTestConfig(16 * 20), Prompts(runtime::MakePrompt(32, 77)));
  int64_t n_preemptions = 0;
  for (const RequestSummary& summary : summaries) n_preemptions += summary.counters.n_preemptions;
  EXPECT_GT(n_preemptions, 0);
}

}  // namespace
}  // namespace fab::engine
