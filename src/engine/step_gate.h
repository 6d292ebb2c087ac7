// StepGate: lets the engines of several models served by one process take
// turns at the machine's cores, one step at a time, first come first
// served. Each engine holds the gate for one step; two busy engines
// alternate, so each gets about half the steps; an idle engine waits for
// mail, not for the gate, and costs nothing. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace fab::engine {

class StepGate {
 public:
  // Blocks until every earlier Enter has left.
  void Enter() {
    std::unique_lock<std::mutex> lock(mutex_);
    const uint64_t ticket = next_ticket_++;
    turn_.wait(lock, [&] { return serving_ == ticket; });
  }
  void Leave() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++serving_;
    }
    turn_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable turn_;
  uint64_t next_ticket_ = 0;  // guarded by mutex_
  uint64_t serving_ = 0;      // guarded by mutex_
};

}  // namespace fab::engine
