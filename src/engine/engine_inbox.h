// EngineInbox: where other threads meet the engine's step thread. Callers
// post submissions and cancellations and begin shutdown; the step thread
// takes everything posted at the start of each step, and sleeps in Take while
// it has nothing to run. It also keeps the set of live request ids (for
// Cancel's NotFound) and bounds the waiting queue. Thread-safe: every member
// takes one mutex, held only for bookkeeping, never while a step runs.
#pragma once

#include <chrono>
#include <optional>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "request/generation_request.h"
#include "engine/request_observer.h"
#include "engine/request_summary.h"

namespace fab::engine {

struct Submission {
  RequestId id = 0;
  GenerationRequest request;
  std::shared_ptr<RequestObserver> observer;
  Clock::time_point submitted;
};

// Everything posted since the last Take.
struct Mail {
  std::vector<Submission> submissions;  // in submission order
  std::vector<RequestId> cancels;       // live ids, each once
  bool shutting_down = false;
  Clock::time_point deadline;  // meaningful when shutting_down
};

class EngineInbox {
 public:
  explicit EngineInbox(int32_t max_waiting) : max_waiting_(max_waiting) {}

  // Assigns ids and queues every request, or none: Unavailable once shutdown
  // began, ResourceExhausted when they would take the waiting queue past
  // max_waiting. `requests` and `observers` have equal sizes (checked).
  StatusOr<std::vector<RequestId>> Post(std::vector<GenerationRequest> requests,
                                        std::vector<std::shared_ptr<RequestObserver>> observers);
  // NotFound unless `id` was posted and has not ended.
  Status PostCancel(RequestId id);
  // Refuses new posts from now on; the earliest deadline of all calls holds.
  void BeginShutdown(Clock::time_point deadline);
  bool shutting_down() const;

  // Step thread. Returns the mail; when `wait` and nothing is posted, first
  // sleeps until something is (or shutdown begins).
  // `wait`: sleeps until there is mail, or `at_most` has passed when given.
  Mail Take(bool wait, std::optional<Clock::duration> at_most = std::nullopt);
  // Step thread: the scheduler's waiting count after a step.
  void SetWaitingInScheduler(int32_t n_waiting);
  // Step thread: `id` ended; Cancel no longer finds it.
  void Ended(RequestId id);

 private:
  bool HasMailLocked() const { return !submissions_.empty() || !cancels_.empty() || shutting_down_; }

  const int32_t max_waiting_;
  mutable std::mutex mutex_;
  std::condition_variable mail_posted_;
  RequestId next_id_ = 1;
  std::unordered_set<RequestId> live_;
  std::vector<Submission> submissions_;
  std::vector<RequestId> cancels_;
  std::unordered_set<RequestId> cancel_set_;
  int32_t n_waiting_in_scheduler_ = 0;
  bool shutting_down_ = false;
  Clock::time_point deadline_;
};

}  // namespace fab::engine
