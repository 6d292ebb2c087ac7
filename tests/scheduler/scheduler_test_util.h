// Helpers shared by the scheduler tests: building configs and requests,
// checking the scheduler's invariants after a step, and running a scheduler
// against a FakeRuntime until every request has ended.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../kvcache/kv_cache_invariants.h"
#include "fake_runtime.h"
#include "scheduler/scheduler.h"

namespace fab::scheduler {

inline SchedulerConfig MakeConfig(int64_t capacity_tokens, int32_t block_size = 8, int64_t max_tokens_per_step = 64,
                                  int32_t max_sequences = 16, int64_t prefill_chunk = 32) {
  SchedulerConfig config;
  config.max_tokens_per_step = max_tokens_per_step;
  config.max_sequences = max_sequences;
  config.prefill_chunk = prefill_chunk;
  config.kv_cache.capacity_tokens = capacity_tokens;
  config.kv_cache.block_size = block_size;
  config.kv_cache.hash_seed = 7;
  return config;
}

inline Scheduler MakeScheduler(const SchedulerConfig& config) {
  StatusOr<Scheduler> scheduler = Scheduler::Create(config);
  FAB_CHECK(scheduler.ok()) << scheduler.status().ToString();
  return std::move(scheduler).value();
}

// Prompt tokens in [0, 1000), distinct per `seed`, so they never collide with fake samples.
inline std::vector<TokenId> MakePrompt(int64_t n_tokens, uint32_t seed) {
  std::vector<TokenId> prompt(static_cast<size_t>(n_tokens));
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<TokenId>((seed * 7919u + i * 104729u) % 1000u);
  return prompt;
}

inline Request MakeRequest(RequestId id, std::vector<TokenId> prompt, int32_t max_new_tokens,
                           Priority priority = Priority::kBatch) {
  Request request;
  request.id = id;
  request.prompt = std::move(prompt);
  request.max_new_tokens = max_new_tokens;
  request.priority = priority;
  return request;
}

// Everything that must hold between steps and of every plan.
inline ::testing::AssertionResult CheckSchedulerInvariants(const Scheduler& scheduler, const StepPlan& plan) {
  auto fail = [](const std::string& what) { return ::testing::AssertionFailure() << what; };
  const SchedulerConfig& config = scheduler.config();
  const kvcache::KvCacheManager& kv_cache = scheduler.kv_cache();
  if (::testing::AssertionResult kv = kvcache::CheckKvCacheInvariants(kv_cache); !kv) return kv;
  if (plan.n_tokens() > config.max_tokens_per_step) return fail("plan exceeds the token budget");
  const std::vector<RequestId> running = scheduler.RunningIds();
  const std::vector<RequestId> waiting = scheduler.WaitingIds();
  if (scheduler.n_running() > config.max_sequences) return fail("more running sequences than max_sequences");
  std::set<RequestId> running_set(running.begin(), running.end());
  for (RequestId id : waiting) {
    if (running_set.contains(id)) return fail("request " + std::to_string(id) + " is both running and waiting");
  }
  if (std::set<RequestId>(waiting.begin(), waiting.end()).size() != waiting.size()) return fail("waiting twice");
  // The cache holds exactly the running sequences; waiting ones hold no blocks.
  std::set<RequestId> live_sequences;
  std::set<BlockId> blocks_in_tables;
  for (const auto& [seq, table] : kv_cache.sequences()) {
    live_sequences.insert(seq);
    blocks_in_tables.insert(table.block_ids().begin(), table.block_ids().end());
  }
  if (live_sequences != running_set) return fail("KV sequences differ from running requests");
  if (static_cast<int32_t>(blocks_in_tables.size()) != kv_cache.pool().n_used()) {
    return fail("blocks held (" + std::to_string(kv_cache.pool().n_used()) + ") != blocks in tables (" +
                std::to_string(blocks_in_tables.size()) + ")");
  }
  std::set<RequestId> planned;
  for (const ScheduledSequence& sequence : plan.sequences) {
    if (!planned.insert(sequence.seq_id).second) return fail("a sequence appears twice in a plan");
    if (!running_set.contains(sequence.seq_id)) return fail("a planned sequence is not running");
    if (sequence.n_tokens() > 1 && sequence.n_tokens() > config.prefill_chunk) return fail("chunk too long");
  }
  return ::testing::AssertionSuccess();
}

struct RunOutcome {
  std::map<RequestId, std::vector<TokenId>> generated;
  std::map<RequestId, FinishReason> finished;
  int64_t n_steps = 0;
  int32_t n_preemptions = 0;
};

// Steps until the scheduler is empty (or max_steps), checking invariants after each.
inline RunOutcome RunUntilEmpty(Scheduler& scheduler, FakeRuntime& runtime, int64_t max_steps = 100000) {
  RunOutcome outcome;
  while (!scheduler.empty() && outcome.n_steps < max_steps) {
    const StepPlan plan = scheduler.Schedule();
    EXPECT_TRUE(CheckSchedulerInvariants(scheduler, plan));
    const StepOutputs outputs = scheduler.Update(runtime.Execute(plan));
    for (const SampledToken& token : outputs.tokens) outcome.generated[token.seq_id].push_back(token.token);
    for (const FinishedRequest& finished : outputs.finished) {
      outcome.finished[finished.id] = finished.reason;
      outcome.n_preemptions += finished.counters.n_preemptions;
    }
    ++outcome.n_steps;
  }
  return outcome;
}

}  // namespace fab::scheduler
