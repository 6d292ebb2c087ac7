// ThreadPool: a fixed set of worker threads for data-parallel kernels.
// Run(fn) calls fn(thread_idx) once on each of n_threads threads (the caller
// is thread 0) and returns when all have finished. Workers spin briefly
// between jobs (kernels are dispatched thousands of times a second) and then
// sleep on a futex. Run must be called from one thread at a time; it is not
// reentrant (fn must not call Run).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace fab {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int n_threads() const { return n_threads_; }

  void Run(const std::function<void(int thread_idx)>& fn);

  // Splits [0, n_items) into n_threads contiguous ranges of nearly equal size,
  // each a multiple of `grain` items (except the last), and calls
  // fn(begin, end) for each non-empty range on its own thread.
  void ParallelFor(int64_t n_items, int64_t grain,
                   const std::function<void(int64_t begin, int64_t end)>& fn);

  // CPU seconds the worker threads (not the caller's) have used so far;
  // for the energy model (platform/model_power_source.h). Any thread.
  double WorkersCpuSeconds() const;

 private:
  void WorkerLoop(int thread_idx);

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> n_pending_{0};
  std::atomic<bool> stopping_{false};
};

// The default thread count: the number of CPUs this process may run on.
int DefaultThreadCount();

}  // namespace fab
