#include "engine/request_tracker.h"

#include <utility>

#include "base/check.h"

namespace fab::engine {

void RequestTracker::Track(Submission submission) {
  Record record;
  record.observer = std::move(submission.observer);
  record.timings.submitted = submission.submitted;
  const bool inserted = records_.emplace(submission.id, std::move(record)).second;
  FAB_CHECK(inserted) << "request " << submission.id << " is tracked twice";
}

void RequestTracker::CountStart(const RequestCounters& counters) {
  totals_.n_prefix_query_tokens += counters.n_prompt_tokens;
  totals_.n_prefix_hit_tokens += counters.n_cached_prompt_tokens;
}

void RequestTracker::AddTokens(const std::vector<scheduler::GeneratedToken>& tokens, Clock::time_point now) {
  for (const scheduler::GeneratedToken& token : tokens) {
    auto it = records_.find(token.id);
    FAB_CHECK(it != records_.end()) << "token for untracked request " << token.id;
    Record& record = it->second;
    if (record.timings.first_token) {
      record.timings.inter_token_gaps.push_back(now - record.last_token);
    } else {
      record.timings.first_token = now;
    }
    record.last_token = now;
    ++totals_.n_generated_tokens;
    events_.push_back({record.observer, token.token, token.logprob, std::nullopt});
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
  totals_.n_prompt_tokens += counters.n_prompt_tokens;
  totals_.n_cached_prompt_tokens += counters.n_cached_prompt_tokens;
  ++totals_.n_finished;
  ++totals_.n_finished_by_reason[static_cast<size_t>(reason)];
  events_.push_back({std::move(it->second.observer), 0, 0.0f, std::move(summary)});
  records_.erase(it);
}

void RequestTracker::FlushEvents() {
  std::vector<Event> events = std::move(events_);
  events_.clear();
  for (Event& event : events) {
    if (event.observer == nullptr) continue;
    if (event.summary) {
      event.observer->OnFinish(*event.summary);
    } else {
      event.observer->OnToken(event.token, event.logprob);
    }
  }
}

}  // namespace fab::engine
