// Scheduler: continuous batching over one KV cache. Each step, Schedule()
// gives every running sequence that is decoding its one token first, then
// fills the rest of the token budget with prefill chunks (at most
// prefill_chunk tokens per sequence), first for running sequences, then by
// admitting waiting requests by priority, then FIFO, except that a waiting
// request whose next uncached full prompt block a running request is
// computing waits (without blocking those behind it) until that block is
// committed, then reuses it from the prefix cache. A request that scores its
// prompt (Request::prompt_logprobs) neither looks up nor waits for cached
// blocks until its first token: it computes, and scores, every prompt
// position. There is no phase split:
// every request has n_tokens_computed against n_tokens and a step feeds k of
// them. A prompt prefix found in the prefix cache is not recomputed. When
// blocks run out the lowest-priority, most recently arrived running request
// is preempted (its blocks freed; it recomputes prompt + generated tokens
// later, from the head of its priority's queue); admission never preempts a
// request of equal or higher priority.
// A throttle (engine/power_limiter.h) makes a step use less power: requests
// of a priority rank past its lowest are neither admitted nor scheduled (they
// wait, keeping their KV), and interactive sequences run only every k-th step.
// Step protocol (the engine's single thread): Schedule() → runtime executes
// the plan → Update(result). Add and Cancel between steps. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "kvcache/kv_cache_manager.h"
#include "request/step_plan.h"
#include "scheduler/blocks_in_flight.h"
#include "scheduler/request.h"
#include "scheduler/request_state.h"
#include "scheduler/scheduler_config.h"
#include "scheduler/waiting_queue.h"

namespace fab::scheduler {

enum class RequestPhase : uint8_t { kWaiting, kRunning };

// A live request as the scheduler sees it now.
struct RequestSnapshot {
  RequestPhase phase = RequestPhase::kWaiting;
  Priority priority = Priority::kBatch;
  int64_t n_tokens = 0;           // prompt + generated
  int64_t n_tokens_computed = 0;  // hold KV (0 while waiting)
  RequestCounters counters;
};

// How the scheduler shares steps while the engine must use less power.
struct Throttle {
  int lowest_rank = kNumPriorities - 1;  // PriorityRank past this: deferred
  int32_t interactive_every = 1;         // >= 1: interactive sequences run every k-th step

  bool operator==(const Throttle&) const = default;
};

class Scheduler {
 public:
  // InvalidArgument naming the field for limits out of range.
  static StatusOr<Scheduler> Create(const SchedulerConfig& config);

  // Queues `request` behind earlier requests of its priority. InvalidArgument
  // for a live id, an empty prompt, max_new_tokens < 1, bad sampling params,
  // or a prompt longer than the whole KV pool (it could never run).
  Status Add(Request request);
  // Ends a waiting or running request now and frees its blocks; NotFound
  // when `id` is not live (never added, finished or already cancelled).
  Status Cancel(RequestId id);

  // The next step. Spans in the plan are valid until the next call of Add,
  // Cancel, Schedule or Update. An empty plan means nothing can run now
  // (no requests). After a non-empty plan, call Update before Schedule.
  StepPlan Schedule();
  // Commits the KV the last plan computed, appends sampled tokens and ends
  // requests that hit max_new_tokens or a stop token. `result` must hold one
  // token per sampling sequence of that plan, in plan order (checked). Call
  // it after every Schedule, even after an empty plan (with an empty result):
  // it also reports preemptions and requests that Schedule ended.
  StepOutputs Update(const StepResult& result);
  // Instead of Update, when the runtime failed the last plan: commits
  // nothing and reports what Schedule itself decided (preemptions, requests
  // it ended). The plan's requests hold slots without KV, so the caller must
  // Cancel each of them before the next Schedule.
  StepOutputs AbortStep();

  // From the next Schedule on.
  void SetThrottle(const Throttle& throttle);
  const Throttle& throttle() const { return throttle_; }
  // Live requests the throttle holds back now (waiting or running).
  int32_t n_deferred() const;

  std::optional<RequestSnapshot> Snapshot(RequestId id) const;
  // Running requests in scheduling order (priority, then arrival).
  std::vector<RequestId> RunningIds() const;
  // Waiting requests in admission order.
  std::vector<RequestId> WaitingIds() const { return waiting_.ToVector(); }
  int32_t n_running() const { return static_cast<int32_t>(running_.size()); }
  int32_t n_waiting() const { return static_cast<int32_t>(waiting_.size()); }
  bool empty() const { return requests_.empty(); }

  const SchedulerConfig& config() const { return config_; }
  const kvcache::KvCacheManager& kv_cache() const { return kv_cache_; }

 private:
  // One sequence of the plan being built.
  struct Scheduled {
    RequestId id = 0;
    int64_t n_tokens = 0;
    bool sample = false;
  };

  Scheduler(const SchedulerConfig& config, kvcache::KvCacheManager kv_cache);

  RequestState& State(RequestId id);
  const RequestState& State(RequestId id) const;
  // Running ids sorted by (priority, arrival).
  std::vector<RequestId> SortedRunning() const;
  // Slots for n_tokens of running request `id`, preempting the lowest-priority,
  // most recent running request (possibly `id` itself) until they fit.
  void ScheduleRunning(RequestId id, int64_t n_tokens);
  // Admits waiting requests in order while sequences, budget and blocks
  // allow, skipping those that wait for a block in flight.
  void AdmitWaiting();
  // Admits waiting request `id`; false when it must wait for blocks.
  bool Admit(RequestId id);
  // Uncommitted prompt blocks of every running request.
  BlocksInFlight PromptBlocksInFlight() const;
  // Whether the next block of `state` that the prefix cache lacks is one
  // that a running request is computing.
  bool WaitsForBlockInFlight(const RequestState& state, const BlocksInFlight& in_flight) const;
  // The running request to preempt: lowest priority, latest arrival, among
  // those of priority strictly lower than `above` when given.
  std::optional<RequestId> PickVictim(std::optional<Priority> above) const;
  void Preempt(RequestId id);
  void Unschedule(RequestId id);
  // Ends a live request: frees its blocks, forgets it, tells the runtime.
  void Finish(RequestId id);
  void FinishForLackOfBlocks(RequestId id);
  int64_t ChunkFor(const RequestState& state) const;
  StepPlan BuildPlan() const;
  bool IsStopToken(const RequestState& state, TokenId token) const;
  // Preemptions and early finishes recorded since the last Update.
  StepOutputs TakeScheduleOutputs();
  // Whether the throttle lets `priority` run in the step being planned.
  bool RunsThisStep(Priority priority) const;

  SchedulerConfig config_;
  kvcache::KvCacheManager kv_cache_;
  kvcache::BlockHasher hasher_;  // the KV cache's seed, for prompt_block_hashes
  std::unordered_map<RequestId, RequestState> requests_;  // node-stable: plans point into it
  WaitingQueue waiting_;
  std::vector<RequestId> running_;
  uint64_t next_arrival_ = 0;
  Throttle throttle_;
  uint64_t n_schedules_ = 0;  // Schedule calls, for interactive_every

  // The plan in flight (between Schedule and Update).
  std::vector<Scheduled> scheduled_;
  int64_t budget_left_ = 0;
  bool preempted_this_step_ = false;
  // Reported by the next Update / plan.
  std::vector<RequestId> preempted_;
  std::vector<FinishedRequest> finished_early_;  // ended inside Schedule (kKvCacheFull)
  std::vector<RequestId> ended_;
};

}  // namespace fab::scheduler
