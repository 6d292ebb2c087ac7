#include "engine/request_tracker.h"

#include <algorithm>
#include <utility>

#include "base/check.h"
#include "engine/step_energy.h"

namespace fab::engine {

void RequestTracker::Track(Submission submission, int64_t n_prompt_tokens) {
  Record record;
  record.observer = std::move(submission.observer);
  record.timings.submitted = submission.submitted;
  record.n_top_logprobs = submission.request.n_top_logprobs;
  record.prompt_logprobs = submission.request.prompt_logprobs;
  record.n_prompt_tokens = n_prompt_tokens;
  const bool inserted = records_.emplace(submission.id, std::move(record)).second;
  FAB_CHECK(inserted) << "request " << submission.id << " is tracked twice";
}

void RequestTracker::CountStart(const RequestCounters& counters) {
  totals_.n_prefix_query_tokens += counters.n_prompt_tokens;
  totals_.n_prefix_hit_tokens += counters.n_cached_prompt_tokens;
}

void RequestTracker::AddPromptScores(const std::vector<PromptScore>& scores) {
  for (const PromptScore& score : scores) {
    auto it = records_.find(score.seq_id);
    if (it == records_.end() || !it->second.prompt_logprobs || it->second.timings.first_token) continue;
    std::vector<PromptTokenLogprob>& held = it->second.prompt_scores;
    if (score.position != static_cast<int64_t>(held.size()) + 1) continue;  // already held (recompute)
    if (held.empty()) held.reserve(static_cast<size_t>(std::max<int64_t>(it->second.n_prompt_tokens - 1, 0)));
    held.push_back({score.token, score.logprob, score.top});
  }
}

void RequestTracker::AddTokens(const std::vector<SampledToken>& tokens, Clock::time_point now) {
  for (const SampledToken& token : tokens) {
    auto it = records_.find(token.seq_id);
    FAB_CHECK(it != records_.end()) << "token for untracked request " << token.seq_id;
    Record& record = it->second;
    if (record.timings.first_token) record.timings.inter_token_gaps.push_back(now - record.last_token);
    Event event{record.observer, token.token, token.logprob, std::nullopt};
    if (record.prompt_logprobs && !record.timings.first_token) event.prompt_scores = std::move(record.prompt_scores);
    if (record.n_top_logprobs > 0) {
      event.has_top = true;
      event.top = token.top;
    }
    if (!record.timings.first_token) record.timings.first_token = now;  // after the check above
    record.last_token = now;
    ++totals_.n_generated_tokens;
    events_.push_back(std::move(event));
  }
}

void RequestTracker::Finish(RequestId id, FinishReason reason, const RequestCounters& counters, Clock::time_point now,
                            Status error) {
  auto it = records_.find(id);
  FAB_CHECK(it != records_.end()) << "finishing untracked request " << id;
  RequestSummary summary;
  summary.id = id;
  summary.reason = reason;
  summary.error = std::move(error);
  summary.counters = counters;
  summary.timings = std::move(it->second.timings);
  summary.timings.finished = now;
  summary.joules = it->second.joules;
  summary.machine_seconds = it->second.machine_seconds;
  totals_.n_prompt_tokens += counters.n_prompt_tokens;
  totals_.n_cached_prompt_tokens += counters.n_cached_prompt_tokens;
  ++totals_.n_finished;
  ++totals_.n_finished_by_reason[static_cast<size_t>(reason)];
  events_.push_back({std::move(it->second.observer), 0, 0.0f, std::move(summary)});
  records_.erase(it);
}

void RequestTracker::AddStepEnergy(const StepPlan& plan, double joules, double seconds) {
  totals_.attributed_joules += joules;
  const std::vector<double> energy = SplitByTokens(plan, joules);
  const std::vector<double> time = SplitByTokens(plan, seconds);
  for (size_t i = 0; i < energy.size(); ++i) {
    auto it = records_.find(plan.sequences[i].seq_id);
    if (it == records_.end()) continue;
    it->second.joules += energy[i];
    it->second.machine_seconds += time[i];
  }
}

void RequestTracker::FlushEvents() {
  std::vector<Event> events = std::move(events_);
  events_.clear();
  for (Event& event : events) {
    if (event.observer == nullptr) continue;
    if (event.summary) {
      event.observer->OnFinish(*event.summary);
    } else {
      if (event.prompt_scores) event.observer->OnPromptLogprobs(*event.prompt_scores);
      if (event.has_top) event.observer->OnTopLogprobs(event.top);
      event.observer->OnToken(event.token, event.logprob);
    }
  }
}

}  // namespace fab::engine
