// WaitingQueue: requests waiting for admission, one FIFO per priority.
// Front() is the oldest request of the highest non-empty priority; a
// preempted request goes back to the front of its own priority's queue.
// O(1) push and pop; Remove (cancellation) is O(queue length). Not thread-safe.
#pragma once

#include <array>
#include <deque>
#include <optional>
#include <vector>

#include "scheduler/request.h"

namespace fab::scheduler {

class WaitingQueue {
 public:
  void PushBack(Priority priority, RequestId id) { Queue(priority).push_back(id); }
  void PushFront(Priority priority, RequestId id) { Queue(priority).push_front(id); }
  // The next request to admit, if any.
  std::optional<RequestId> Front() const;
  // Removes Front(); requires !empty().
  void PopFront();
  // Removes `id` from `priority`'s queue; returns whether it was there.
  bool Remove(Priority priority, RequestId id);

  bool empty() const { return size() == 0; }
  size_t size() const;
  // Admission order: priority, then queue order.
  std::vector<RequestId> ToVector() const;

 private:
  // queues_[0] is served first (PriorityRank).
  std::deque<RequestId>& Queue(Priority priority) { return queues_[static_cast<size_t>(PriorityRank(priority))]; }
  std::array<std::deque<RequestId>, kNumPriorities> queues_;
};

}  // namespace fab::scheduler
