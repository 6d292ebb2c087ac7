// RequestTracker: the step thread's record of every request the engine has
// taken from its inbox and not yet finished: its observer and timings. It
// turns scheduler outputs into observer events and keeps the running totals
// behind EngineStats. Events are queued, not called: the engine publishes
// its stats first and then flushes them, so an observer that reads Stats()
// from a callback sees the step that produced the event. Step thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/engine_inbox.h"
#include "engine/engine_stats.h"
#include "engine/request_observer.h"
#include "engine/request_summary.h"
#include "request/step_plan.h"
#include "scheduler/request.h"

namespace fab::engine {

class RequestTracker {
 public:
  // Starts tracking an accepted submission whose prompt has n_prompt_tokens.
  void Track(Submission submission, int64_t n_prompt_tokens);
  bool IsTracked(RequestId id) const { return records_.contains(id); }
  size_t size() const { return records_.size(); }

  // Marks the plan's requests started (the first plan that feeds them ends
  // their queue time) and counts their prefix-cache lookup.
  // `counters_of(id)` gives a planned request's counters.
  template <typename CountersOf>
  void MarkStarted(const StepPlan& plan, Clock::time_point now, CountersOf counters_of);
  // Collects prompt scores of requests with prompt_logprobs, position by
  // position; scores of positions already held (a recompute after
  // preemption) and of untracked requests are ignored. They are delivered
  // with the request's first token.
  void AddPromptScores(const std::vector<PromptScore>& scores);
  // Queues OnToken events (preceded by OnPromptLogprobs before the first
  // token and OnTopLogprobs when asked for) and records the token times.
  void AddTokens(const std::vector<SampledToken>& tokens, Clock::time_point now);
  void AddPreemptions(int64_t n) { totals_.n_preemptions += n; }
  // Shares `joules` and `seconds` of one step among the plan's tracked
  // requests (engine/step_energy.h); counts them as attributed energy.
  void AddStepEnergy(const StepPlan& plan, double joules, double seconds);
  // Energy spent with nothing to compute.
  void AddIdleEnergy(double joules) { totals_.idle_joules += joules; }
  void SetEnergySource(const std::string& label) { totals_.energy_source = label; }
  // Stops tracking `id` and queues its OnFinish. `error` is OK unless kError.
  void Finish(RequestId id, FinishReason reason, const RequestCounters& counters, Clock::time_point now,
              Status error = OkStatus());

  // Totals so far (the request-related fields of EngineStats).
  const EngineStats& totals() const { return totals_; }
  void CountSubmitted(int64_t n) { totals_.n_submitted += n; }
  void CountStep() { ++totals_.n_steps; }

  // Runs the queued events in order, then forgets them.
  void FlushEvents();

 private:
  struct Record {
    std::shared_ptr<RequestObserver> observer;
    RequestTimings timings;
    Clock::time_point last_token;
    int32_t n_top_logprobs = 0;
    bool prompt_logprobs = false;
    int64_t n_prompt_tokens = 0;
    double joules = 0.0;
    double machine_seconds = 0.0;
    // Positions 1 … prompt_scores.size() so far; moved into the first token's event.
    std::vector<PromptTokenLogprob> prompt_scores;
  };
  struct Event {
    std::shared_ptr<RequestObserver> observer;
    TokenId token = 0;
    float logprob = 0.0f;
    std::optional<RequestSummary> summary;  // set: OnFinish; else OnToken
    // OnToken events: OnPromptLogprobs(prompt_scores) first when set, then
    // OnTopLogprobs(top) when has_top.
    std::optional<std::vector<PromptTokenLogprob>> prompt_scores = std::nullopt;
    bool has_top = false;
    std::vector<TokenLogprob> top = {};
  };

  void CountStart(const RequestCounters& counters);

  std::unordered_map<RequestId, Record> records_;
  std::vector<Event> events_;
  EngineStats totals_;
};

template <typename CountersOf>
void RequestTracker::MarkStarted(const StepPlan& plan, Clock::time_point now, CountersOf counters_of) {
  for (const ScheduledSequence& sequence : plan.sequences) {
    auto it = records_.find(sequence.seq_id);
    if (it == records_.end() || it->second.timings.started) continue;
    it->second.timings.started = now;
    CountStart(counters_of(sequence.seq_id));
  }
}

}  // namespace fab::engine
