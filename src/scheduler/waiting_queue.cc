#include "scheduler/waiting_queue.h"

#include <algorithm>

#include "base/check.h"

namespace fab::scheduler {

std::optional<RequestId> WaitingQueue::Front() const {
  for (const std::deque<RequestId>& queue : queues_) {
    if (!queue.empty()) return queue.front();
  }
  return std::nullopt;
}

void WaitingQueue::PopFront() {
  for (std::deque<RequestId>& queue : queues_) {
    if (queue.empty()) continue;
    queue.pop_front();
    return;
  }
  FAB_CHECK(false) << "PopFront on an empty waiting queue";
}

bool WaitingQueue::Remove(Priority priority, RequestId id) {
  std::deque<RequestId>& queue = Queue(priority);
  const auto it = std::find(queue.begin(), queue.end(), id);
  if (it == queue.end()) return false;
  queue.erase(it);
  return true;
}

size_t WaitingQueue::size() const {
  size_t total = 0;
  for (const std::deque<RequestId>& queue : queues_) total += queue.size();
  return total;
}

std::vector<RequestId> WaitingQueue::ToVector() const {
  std::vector<RequestId> ids;
  for (const std::deque<RequestId>& queue : queues_) ids.insert(ids.end(), queue.begin(), queue.end());
  return ids;
}

}  // namespace fab::scheduler
