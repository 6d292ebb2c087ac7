// The real scheduler driving the real runtime (Schedule → Execute → Update)
// on a small synthesized model: every request's greedy tokens equal those of
// running its prompt alone through model::Session, with 16 concurrent
// requests, prefill chunks of 16, a pool small enough to force preemption,
// and prompts that share a prefix through the prefix cache. F32 KV pages make
// the comparison exact.
#include <gtest/gtest.h>

#include <map>

#include "../runtime/plan_driver.h"
#include "scheduler/scheduler.h"

namespace fab::scheduler {
namespace {

struct RunOutcome {
  std::map<RequestId, std::vector<TokenId>> generated;
  int64_t n_preemptions = 0;
  int64_t n_cached_prompt_tokens = 0;
  int64_t max_sequences_in_a_step = 0;
};

// Runs every request to the end; fails the test on any runtime error.
RunOutcome ServeAll(const model::Model& model, ThreadPool& pool, const SchedulerConfig& config,
                    const std::vector<Request>& requests, runtime::KvDType kv_dtype = runtime::KvDType::kF32) {
  RunOutcome outcome;
  StatusOr<Scheduler> created = Scheduler::Create(config);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  if (!created.ok()) return outcome;
  Scheduler scheduler = std::move(created).value();
  runtime::ExecutorOptions options;
  options.n_blocks = config.kv_cache.n_blocks();
  options.block_size = config.kv_cache.block_size;
  options.max_tokens_per_step = config.max_tokens_per_step;
  options.kv_dtype = kv_dtype;
  auto executor = runtime::Executor::Create(model, pool, options);
  EXPECT_TRUE(executor.ok()) << executor.status().ToString();
  if (!executor.ok()) return outcome;
  for (const Request& request : requests) EXPECT_TRUE(scheduler.Add(request).ok());
  for (int step = 0; step < 100000 && !scheduler.empty(); ++step) {
    const StepPlan plan = scheduler.Schedule();
    outcome.max_sequences_in_a_step =
        std::max<int64_t>(outcome.max_sequences_in_a_step, static_cast<int64_t>(plan.sequences.size()));
    StatusOr<StepResult> result = (*executor)->Execute(plan);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return outcome;
    const StepOutputs outputs = scheduler.Update(*result);
    for (const SampledToken& token : outputs.tokens) outcome.generated[token.seq_id].push_back(token.token);
    for (const FinishedRequest& finished : outputs.finished) {
      EXPECT_EQ(finished.reason, FinishReason::kMaxTokens) << "request " << finished.id;
      outcome.n_preemptions += finished.counters.n_preemptions;
      outcome.n_cached_prompt_tokens += finished.counters.n_cached_prompt_tokens;
    }
  }
  EXPECT_TRUE(scheduler.empty());
  return outcome;
}

std::vector<Request> SixteenRequests(std::span<const TokenId> shared_prefix, int32_t max_new_tokens) {
  std::vector<Request> requests;
  for (int i = 0; i < 16; ++i) {
    Request request;
    request.id = 500 + i;
    request.prompt.assign(shared_prefix.begin(), shared_prefix.end());
    for (TokenId token : runtime::MakePrompt(5 + 7 * i, 40 + i)) request.prompt.push_back(token);
    request.max_new_tokens = max_new_tokens;
    request.sampling.temperature = 0.0f;
    requests.push_back(std::move(request));
  }
  return requests;
}

void ExpectEveryRequestMatchesItsSoloRun(const model::Model& model, ThreadPool& pool,
                                         const std::vector<Request>& requests, const RunOutcome& outcome) {
  for (const Request& request : requests) {
    auto found = outcome.generated.find(request.id);
    ASSERT_NE(found, outcome.generated.end()) << "request " << request.id;
    EXPECT_EQ(found->second, runtime::GreedyAlone(model, pool, request.prompt, request.max_new_tokens))
        << "request " << request.id;
  }
}

SchedulerConfig Config(int64_t capacity_tokens) {
  SchedulerConfig config;
  config.max_tokens_per_step = 64;
  config.max_sequences = 16;
  config.prefill_chunk = 16;
  config.kv_cache.capacity_tokens = capacity_tokens;
  config.kv_cache.block_size = 16;
  config.kv_cache.hash_seed = 11;
  return config;
}

TEST(SchedulerWithRuntime, SixteenConcurrentRequestsMatchTheirSoloRuns) {
  const model::Model& model = runtime::SmallModel("llama");
  ThreadPool pool(2);
  const std::vector<Request> requests = SixteenRequests({}, 20);
  const RunOutcome outcome = ServeAll(model, pool, Config(16 * 256), requests);
  EXPECT_EQ(outcome.max_sequences_in_a_step, 16);
  EXPECT_EQ(outcome.n_preemptions, 0);
  ExpectEveryRequestMatchesItsSoloRun(model, pool, requests, outcome);
}

TEST(SchedulerWithRuntime, PreemptionByRecomputeKeepsEveryRequestsTokens) {
  const model::Model& model = runtime::SmallModel("qwen2");
  ThreadPool pool(2);
  const std::vector<Request> requests = SixteenRequests({}, 20);
  const RunOutcome outcome = ServeAll(model, pool, Config(16 * 20), requests);  // 20 blocks for 16 requests
  EXPECT_GT(outcome.n_preemptions, 0);
  ExpectEveryRequestMatchesItsSoloRun(model, pool, requests, outcome);
}

TEST(SchedulerWithRuntime, PrefixCacheHitsGiveTheSameTokensAsColdPrefills) {
  const model::Model& model = runtime::SmallModel("llama");
  ThreadPool pool(2);
  const std::vector<TokenId> prefix = runtime::MakePrompt(48, 99);  // three full blocks
  const std::vector<Request> requests = SixteenRequests(prefix, 12);
  const RunOutcome outcome = ServeAll(model, pool, Config(16 * 256), requests);
  EXPECT_GT(outcome.n_cached_prompt_tokens, 0);
  ExpectEveryRequestMatchesItsSoloRun(model, pool, requests, outcome);
}

void ExpectEveryRequestMatchesItsSoloServe(const model::Model& model, ThreadPool& pool, const SchedulerConfig& config,
                                           const std::vector<Request>& requests, const RunOutcome& outcome,
                                           runtime::KvDType kv_dtype) {
  for (const Request& request : requests) {
    auto found = outcome.generated.find(request.id);
    ASSERT_NE(found, outcome.generated.end()) << "request " << request.id;
    const RunOutcome alone = ServeAll(model, pool, config, {request}, kv_dtype);
    EXPECT_EQ(found->second, alone.generated.at(request.id)) << "request " << request.id;
  }
}

TEST(SchedulerWithRuntime, SixteenConcurrentRequestsWithQ8PagesMatchTheirSoloServes) {
  const model::Model& model = runtime::SmallModel("llama");
  ThreadPool pool(2);
  const std::vector<Request> requests = SixteenRequests({}, 20);
  const SchedulerConfig config = Config(16 * 256);
  const RunOutcome outcome = ServeAll(model, pool, config, requests, runtime::KvDType::kQ8_0);
  EXPECT_EQ(outcome.max_sequences_in_a_step, 16);
  ExpectEveryRequestMatchesItsSoloServe(model, pool, config, requests, outcome, runtime::KvDType::kQ8_0);
}

TEST(SchedulerWithRuntime, PreemptionWithQ8PagesKeepsEveryRequestsTokens) {
  const model::Model& model = runtime::SmallModel("qwen2");
  ThreadPool pool(2);
  const std::vector<Request> requests = SixteenRequests({}, 20);
  const RunOutcome outcome = ServeAll(model, pool, Config(16 * 20), requests, runtime::KvDType::kQ8_0);
  EXPECT_GT(outcome.n_preemptions, 0);
  ExpectEveryRequestMatchesItsSoloServe(model, pool, Config(16 * 256), requests, outcome, runtime::KvDType::kQ8_0);
}

}  // namespace
}  // namespace fab::scheduler
