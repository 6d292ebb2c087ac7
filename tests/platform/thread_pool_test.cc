#include "platform/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace fab {
namespace {

TEST(ThreadPool, RunCallsEveryThreadOnce) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> calls(3);
  pool.Run([&](int thread_idx) { calls[static_cast<size_t>(thread_idx)]++; });
  for (auto& c : calls) EXPECT_EQ(c.load(), 1);
}

TEST(ThreadPool, AJobPostedRightAfterConstructionIsNotMissed) {
  // Regression: a worker that started after the first job was posted used to
  // skip it and leave Run waiting forever.
  for (int round = 0; round < 200; ++round) {
    ThreadPool pool(2);
    std::atomic<int> calls{0};
    pool.Run([&](int) { calls++; });
    EXPECT_EQ(calls.load(), 2);
  }
}

TEST(ThreadPool, ParallelForCoversEachItemExactlyOnceInGrainMultiples) {
  ThreadPool pool(4);
  for (int64_t n_items : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{64}, int64_t{1001}}) {
    std::vector<std::atomic<int>> seen(static_cast<size_t>(n_items));
    pool.ParallelFor(n_items, 8, [&](int64_t begin, int64_t end) {
      EXPECT_EQ(begin % 8, 0);
      for (int64_t i = begin; i < end; ++i) seen[static_cast<size_t>(i)]++;
    });
    for (auto& s : seen) EXPECT_EQ(s.load(), 1);
  }
}

TEST(ThreadPool, ManySmallJobsInARowAllComplete) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  for (int job = 0; job < 20000; ++job) pool.Run([&](int thread_idx) { total += thread_idx + 1; });
  EXPECT_EQ(total.load(), 20000 * 3);
}

TEST(ThreadPool, OneThreadRunsOnTheCaller) {
  ThreadPool pool(1);
  int calls = 0;
  pool.ParallelFor(10, 1, [&](int64_t begin, int64_t end) { calls += static_cast<int>(end - begin); });
  EXPECT_EQ(calls, 10);
}

}  // namespace
}  // namespace fab
