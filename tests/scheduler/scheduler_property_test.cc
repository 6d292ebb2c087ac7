// Property test: random arrivals (sharing prompt prefixes, mixed priorities,
// stop tokens) and cancellations against small and large pools. After every
// step the invariants hold (blocks held == blocks in tables, no request both
// running and waiting, budget respected, every decoding request scheduled);
// every token a request generates is the one the fake model gives its true
// context, so preemption, recompute and prefix sharing never change outputs;
// at the end every request finished or was cancelled, and no block leaked.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

constexpr int kArrivalSteps = 1500;
constexpr int64_t kDrainSteps = 20000;

struct Expected {
  std::vector<TokenId> prompt;
  std::vector<TokenId> generated;
  int32_t max_new_tokens = 0;
  std::set<TokenId> stop_tokens;
};

class SchedulerProperty : public ::testing::TestWithParam<std::tuple<uint32_t, int64_t>> {
 protected:
  void SetUp() override {
    rng_.seed(std::get<0>(GetParam()));
    config_ = MakeConfig(std::get<1>(GetParam()), 8, /*max_tokens_per_step=*/48, /*max_sequences=*/6, /*prefill_chunk=*/16);
    scheduler_.emplace(MakeScheduler(config_));
    runtime_.emplace(scheduler_->kv_cache().n_blocks(), 8);
    for (uint32_t family = 0; family < 3; ++family) families_.push_back(MakePrompt(64, 100 + family));
  }

  void AddRandomRequest() {
    const RequestId id = next_id_++;
    std::vector<TokenId> prompt = families_[Uniform(0, 2)];
    prompt.resize(static_cast<size_t>(Uniform(1, 64)));
    const std::vector<TokenId> tail = MakePrompt(Uniform(0, 40), static_cast<uint32_t>(id));
    prompt.insert(prompt.end(), tail.begin(), tail.end());
    if (static_cast<int64_t>(prompt.size()) > config_.kv_cache.capacity_tokens) {
      prompt.resize(static_cast<size_t>(config_.kv_cache.capacity_tokens));
    }
    Request request = MakeRequest(id, prompt, static_cast<int32_t>(Uniform(1, 40)),
                                  Uniform(0, 3) == 0 ? Priority::kInteractive : Priority::kBatch);
    if (Uniform(0, 3) == 0) {
      for (int i = 0; i < 200; ++i) request.stop_tokens.push_back(kFirstFakeToken + static_cast<TokenId>(Uniform(0, kFakeVocab - 1)));
    }
    Expected& expected = expected_[id];
    expected.prompt = request.prompt;
    expected.max_new_tokens = request.max_new_tokens;
    expected.stop_tokens.insert(request.stop_tokens.begin(), request.stop_tokens.end());
    ASSERT_TRUE(scheduler_->Add(std::move(request)).ok());
    live_.insert(id);
  }

  void CancelRandomRequest() {
    if (live_.empty()) return;
    auto it = live_.begin();
    std::advance(it, Uniform(0, static_cast<int64_t>(live_.size()) - 1));
    ASSERT_TRUE(scheduler_->Cancel(*it).ok());
    cancelled_.insert(*it);
    live_.erase(it);
  }

  void Step() {
    const StepPlan plan = scheduler_->Schedule();
    ASSERT_TRUE(CheckSchedulerInvariants(*scheduler_, plan));
    std::set<RequestId> planned;
    for (const ScheduledSequence& sequence : plan.sequences) planned.insert(sequence.seq_id);
    for (RequestId id : scheduler_->RunningIds()) {
      const std::optional<RequestSnapshot> snapshot = scheduler_->Snapshot(id);
      if (snapshot->n_tokens - snapshot->n_tokens_computed == 1) {
        EXPECT_TRUE(planned.contains(id)) << "decoding request " << id << " was skipped";
      }
    }
    const StepOutputs outputs = scheduler_->Update(runtime_->Execute(plan));
    n_preemptions_ += static_cast<int>(outputs.preempted.size());
    for (const SampledToken& token : outputs.tokens) CheckToken(token);
    for (const FinishedRequest& finished : outputs.finished) CheckFinished(finished);
  }

  void CheckToken(const SampledToken& token) {
    Expected& expected = expected_.at(token.seq_id);
    std::vector<TokenId> context = expected.prompt;
    context.insert(context.end(), expected.generated.begin(), expected.generated.end());
    EXPECT_EQ(token.token, ContextHashToken(token.seq_id, static_cast<int64_t>(context.size()), context))
        << "request " << token.seq_id << " token " << expected.generated.size();
    expected.generated.push_back(token.token);
  }

  void CheckFinished(const FinishedRequest& finished) {
    ASSERT_TRUE(live_.erase(finished.id)) << "request " << finished.id << " ended twice";
    finished_.insert(finished.id);
    n_cached_prompt_tokens_ += finished.counters.n_cached_prompt_tokens;
    const Expected& expected = expected_.at(finished.id);
    const size_t n_generated = expected.generated.size();
    EXPECT_EQ(finished.counters.n_generated, static_cast<int32_t>(n_generated));
    switch (finished.reason) {
      case FinishReason::kMaxTokens:
        EXPECT_EQ(n_generated, static_cast<size_t>(expected.max_new_tokens));
        break;
      case FinishReason::kStopToken:
        EXPECT_TRUE(expected.stop_tokens.contains(expected.generated.back()));
        break;
      case FinishReason::kKvCacheFull:
        EXPECT_GT(static_cast<int64_t>(expected.prompt.size() + n_generated), config_.kv_cache.capacity_tokens);
        break;
      default:
        ADD_FAILURE() << "the scheduler never ends a request with " << FinishReasonName(finished.reason);
        break;
    }
  }

  int64_t Uniform(int64_t low, int64_t high) { return std::uniform_int_distribution<int64_t>(low, high)(rng_); }

  SchedulerConfig config_;
  std::mt19937_64 rng_;
  std::optional<Scheduler> scheduler_;
  std::optional<FakeRuntime> runtime_;
  std::vector<std::vector<TokenId>> families_;
  std::map<RequestId, Expected> expected_;
  std::set<RequestId> live_, finished_, cancelled_;
  RequestId next_id_ = 1;
  int n_preemptions_ = 0;
  int64_t n_cached_prompt_tokens_ = 0;
};

TEST_P(SchedulerProperty, KeepsInvariantsAndOutputsUnderRandomArrivalsAndCancellations) {
  for (int step = 0; step < kArrivalSteps; ++step) {
    if (Uniform(0, 2) == 0) AddRandomRequest();
    if (Uniform(0, 24) == 0) CancelRandomRequest();
    Step();
    if (HasFatalFailure()) return;
  }
  for (int64_t step = 0; step < kDrainSteps && !scheduler_->empty(); ++step) {
    Step();
    if (HasFatalFailure()) return;
  }
  EXPECT_TRUE(scheduler_->empty());
  EXPECT_TRUE(live_.empty());
  EXPECT_EQ(finished_.size() + cancelled_.size(), expected_.size());
  EXPECT_EQ(scheduler_->kv_cache().pool().n_used(), 0) << "blocks leaked";
  EXPECT_GT(finished_.size(), expected_.size() / 2);
  EXPECT_FALSE(cancelled_.empty());
  EXPECT_GT(n_cached_prompt_tokens_, 0) << "shared prompt families should hit the prefix cache";
  if (config_.kv_cache.capacity_tokens <= 256) {
    EXPECT_GT(n_preemptions_, 0) << "the small pool should preempt";
  }
}

INSTANTIATE_TEST_SUITE_P(SeedsAndPools, SchedulerProperty,
                         ::testing::Combine(::testing::Values(1u, 2u, 3u, 4u), ::testing::Values(int64_t{128}, int64_t{4096})));

}  // namespace
}  // namespace fab::scheduler
