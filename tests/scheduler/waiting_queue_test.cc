#include "scheduler/waiting_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace fab::scheduler {
namespace {

TEST(WaitingQueue, ServesInteractiveBeforeBatchAndFifoWithinEach) {
  WaitingQueue queue;
  queue.PushBack(Priority::kBatch, 1);
  queue.PushBack(Priority::kInteractive, 2);
  queue.PushBack(Priority::kBatch, 3);
  queue.PushBack(Priority::kInteractive, 4);
  EXPECT_EQ(queue.ToVector(), (std::vector<RequestId>{2, 4, 1, 3}));
  std::vector<RequestId> served;
  while (!queue.empty()) {
    served.push_back(*queue.Front());
    queue.PopFront();
  }
  EXPECT_EQ(served, (std::vector<RequestId>{2, 4, 1, 3}));
  EXPECT_FALSE(queue.Front().has_value());
}

TEST(WaitingQueue, PutsAPreemptedRequestAheadOfItsPriorityOnly) {
  WaitingQueue queue;
  queue.PushBack(Priority::kInteractive, 1);
  queue.PushBack(Priority::kBatch, 2);
  queue.PushFront(Priority::kBatch, 3);
  EXPECT_EQ(queue.ToVector(), (std::vector<RequestId>{1, 3, 2}));
}

TEST(WaitingQueue, RemovesOnlyFromTheNamedPriority) {
  WaitingQueue queue;
  queue.PushBack(Priority::kBatch, 5);
  queue.PushBack(Priority::kBatch, 6);
  EXPECT_FALSE(queue.Remove(Priority::kInteractive, 5));
  EXPECT_TRUE(queue.Remove(Priority::kBatch, 5));
  EXPECT_FALSE(queue.Remove(Priority::kBatch, 5));
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.Front(), 6);
}

}  // namespace
}  // namespace fab::scheduler
