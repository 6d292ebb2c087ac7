#include "platform/thread_pool.h"

#include <immintrin.h>
#include <sched.h>

#include "base/check.h"
#include "platform/model_power_source.h"

namespace fab {
namespace {

// About 50-100 us of pause instructions: long enough to catch the next
// kernel of the same step without a futex round trip, short enough that a
// waiting thread gives its core back soon when the machine is oversubscribed
// (a descheduled partner would otherwise cost a whole spin budget per call).
constexpr int kSpinIterations = 2048;

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
  for (int thread_idx = 1; thread_idx < n_threads_; ++thread_idx) {
    workers_.emplace_back([this, thread_idx] { WorkerLoop(thread_idx); });
  }
}

ThreadPool::~ThreadPool() {
  stopping_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::Run(const std::function<void(int)>& fn) {
  if (n_threads_ == 1) {
    fn(0);
    return;
  }
  job_ = &fn;
  n_pending_.store(n_threads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  fn(0);
  int spins = 0;
  while (n_pending_.load(std::memory_order_acquire) != 0) {
    if (++spins < kSpinIterations) {
      _mm_pause();
    } else {
      std::this_thread::yield();
    }
  }
  job_ = nullptr;
}

void ThreadPool::WorkerLoop(int thread_idx) {
  uint32_t seen = 0;  // the generation at construction; a job posted before this thread starts still runs
  while (true) {
    int spins = 0;
    uint32_t current;
    while ((current = generation_.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpinIterations) {
        _mm_pause();
      } else {
        generation_.wait(seen, std::memory_order_acquire);
      }
    }
    seen = current;
    if (stopping_.load(std::memory_order_acquire)) return;
    (*job_)(thread_idx);
    n_pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::ParallelFor(int64_t n_items, int64_t grain,
                             const std::function<void(int64_t, int64_t)>& fn) {
  FAB_CHECK(grain >= 1);
  if (n_items <= 0) return;
  const int64_t n_grains = (n_items + grain - 1) / grain;
  const int64_t n_parts = n_grains < n_threads_ ? n_grains : n_threads_;
  if (n_parts <= 1) {
    fn(0, n_items);
    return;
  }
  Run([&](int thread_idx) {
    if (thread_idx >= n_parts) return;
    const int64_t grain_begin = n_grains * thread_idx / n_parts;
    const int64_t grain_end = n_grains * (thread_idx + 1) / n_parts;
    const int64_t begin = grain_begin * grain;
    const int64_t end = grain_end * grain < n_items ? grain_end * grain : n_items;
    if (begin < end) fn(begin, end);
  });
}

int DefaultThreadCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

double ThreadPool::WorkersCpuSeconds() const {
  double total = 0.0;
  for (const std::thread& worker : workers_) total += ThreadCpuSeconds(const_cast<std::thread&>(worker).native_handle());
  return total;
}

}  // namespace fab
