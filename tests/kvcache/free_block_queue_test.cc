#include "kvcache/free_block_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fab::kvcache {
namespace {

using ::testing::ElementsAre;

TEST(FreeBlockQueue, StartsWithEveryBlockInIdOrder) {
  FreeBlockQueue queue(4);
  EXPECT_EQ(queue.size(), 4);
  EXPECT_THAT(queue.ToVector(), ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(queue.front(), 0);
}

TEST(FreeBlockQueue, PopsTheFrontAndPushesAtEitherEnd) {
  FreeBlockQueue queue(4);
  EXPECT_EQ(queue.PopFront(), 0);
  EXPECT_EQ(queue.PopFront(), 1);
  EXPECT_FALSE(queue.Contains(0));
  queue.PushBack(0);
  queue.PushFront(1);
  EXPECT_THAT(queue.ToVector(), ElementsAre(1, 2, 3, 0));
}

TEST(FreeBlockQueue, RemovesFromTheMiddleKeepingTheOrderOfTheRest) {
  FreeBlockQueue queue(5);
  queue.Remove(2);
  queue.Remove(4);
  queue.Remove(0);
  EXPECT_THAT(queue.ToVector(), ElementsAre(1, 3));
  EXPECT_EQ(queue.size(), 2);
  queue.Remove(1);
  queue.Remove(3);
  EXPECT_TRUE(queue.empty());
  queue.PushBack(4);
  EXPECT_THAT(queue.ToVector(), ElementsAre(4));
}

TEST(FreeBlockQueueDeathTest, PushingAFreeBlockAgainIsAProgrammerError) {
  FreeBlockQueue queue(2);
  EXPECT_DEATH(queue.PushBack(1), "already free");
}

TEST(FreeBlockQueueDeathTest, PoppingAnEmptyQueueIsAProgrammerError) {
  FreeBlockQueue queue(1);
  queue.PopFront();
  EXPECT_DEATH(queue.PopFront(), "empty free queue");
}

}  // namespace
}  // namespace fab::kvcache
