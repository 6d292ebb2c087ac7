// ConstraintMasks: the allowed-token masks of one step's constrained
// sequences, computed on a thread of its own while the forward pass runs. A
// mask depends only on the tokens the constraint has accepted, all known when
// the step starts, so masks need not wait for the logits and do not
// serialize the step. Start and Wait are called by the step thread, in turn;
// between them the constraints belong to the mask thread (no one else may
// call them). One per Executor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "request/token_constraint.h"

namespace fab::runtime {

class ConstraintMasks {
 public:
  ConstraintMasks();
  ~ConstraintMasks();  // joins the thread
  ConstraintMasks(const ConstraintMasks&) = delete;
  ConstraintMasks& operator=(const ConstraintMasks&) = delete;

  // Starts filling a mask of n_vocab bits for each constraint (not owned;
  // they must live until Wait returns).
  void Start(std::vector<TokenConstraint*> constraints, int64_t n_vocab);
  // Waits for the masks Start asked for.
  void Wait();
  // Constraint i's mask after Wait; empty when it restricts nothing now.
  std::span<const uint32_t> mask(size_t i) const;

 private:
  void Run();
  void Fill();  // on the mask thread

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  bool pending_ = false;   // guarded by mutex_: work was started and is not finished
  bool stopping_ = false;  // guarded by mutex_
  std::vector<TokenConstraint*> constraints_;  // the mask thread's while pending_
  int64_t n_vocab_ = 0;
  std::vector<std::vector<uint32_t>> masks_;   // the mask thread's while pending_
  std::vector<bool> restricts_;
  std::thread thread_;     // last: starts once the rest exists
};

}  // namespace fab::runtime
