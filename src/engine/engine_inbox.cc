#include "engine/engine_inbox.h"

#include <string>
#include <utility>

#include "base/check.h"

namespace fab::engine {

StatusOr<std::vector<RequestId>> EngineInbox::Post(std::vector<GenerationRequest> requests,
                                                   std::vector<std::shared_ptr<RequestObserver>> observers) {
  FAB_CHECK(requests.size() == observers.size()) << requests.size() << " requests, " << observers.size() << " observers";
  const Clock::time_point now = Clock::now();
  std::vector<RequestId> ids;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shutting_down_) return UnavailableError("the engine is shutting down");
    const int64_t n_waiting = int64_t{n_waiting_in_scheduler_} + static_cast<int64_t>(submissions_.size());
    if (n_waiting + static_cast<int64_t>(requests.size()) > max_waiting_) {
      return ResourceExhaustedError("the waiting queue is full (" + std::to_string(n_waiting) + " of " +
                                    std::to_string(max_waiting_) + " requests waiting)");
    }
    for (size_t i = 0; i < requests.size(); ++i) {
      const RequestId id = next_id_++;
      live_.insert(id);
      submissions_.push_back({id, std::move(requests[i]), std::move(observers[i]), now});
      ids.push_back(id);
    }
  }
  mail_posted_.notify_one();
  return ids;
}

Status EngineInbox::PostCancel(RequestId id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!live_.contains(id)) return NotFoundError("request " + std::to_string(id) + " is not live");
    if (!cancel_set_.insert(id).second) return OkStatus();  // already on its way
    cancels_.push_back(id);
  }
  mail_posted_.notify_one();
  return OkStatus();
}

void EngineInbox::BeginShutdown(Clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    deadline_ = shutting_down_ ? std::min(deadline_, deadline) : deadline;
    shutting_down_ = true;
  }
  mail_posted_.notify_one();
}

bool EngineInbox::shutting_down() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return shutting_down_;
}

Mail EngineInbox::Take(bool wait, std::optional<Clock::duration> at_most) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (wait && at_most) {
    mail_posted_.wait_for(lock, *at_most, [this] { return HasMailLocked(); });
  } else if (wait) {
    mail_posted_.wait(lock, [this] { return HasMailLocked(); });
  }
  Mail mail;
  n_waiting_in_scheduler_ += static_cast<int32_t>(submissions_.size());  // until the next SetWaitingInScheduler
  mail.submissions = std::move(submissions_);
  submissions_.clear();
  mail.cancels = std::move(cancels_);
  cancels_.clear();
  cancel_set_.clear();
  mail.shutting_down = shutting_down_;
  mail.deadline = deadline_;
  return mail;
}

void EngineInbox::SetWaitingInScheduler(int32_t n_waiting) {
  std::lock_guard<std::mutex> lock(mutex_);
  n_waiting_in_scheduler_ = n_waiting;
}

void EngineInbox::Ended(RequestId id) {
  std::lock_guard<std::mutex> lock(mutex_);
  live_.erase(id);
}

}  // namespace fab::engine
