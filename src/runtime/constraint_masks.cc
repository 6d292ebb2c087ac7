#include "runtime/constraint_masks.h"

#include <utility>

namespace fab::runtime {

ConstraintMasks::ConstraintMasks() : thread_([this] { Run(); }) {}

ConstraintMasks::~ConstraintMasks() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void ConstraintMasks::Start(std::vector<TokenConstraint*> constraints, int64_t n_vocab) {
  std::lock_guard<std::mutex> lock(mutex_);
  constraints_ = std::move(constraints);
  n_vocab_ = n_vocab;
  pending_ = true;
  wake_.notify_one();
}

void ConstraintMasks::Wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return !pending_; });
}

std::span<const uint32_t> ConstraintMasks::mask(size_t i) const {
  if (!restricts_[i]) return {};
  return masks_[i];
}

void ConstraintMasks::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) return;
    lock.unlock();
    Fill();
    lock.lock();
    pending_ = false;
    done_.notify_all();
  }
}

void ConstraintMasks::Fill() {
  const size_t n = constraints_.size();
  if (masks_.size() < n) masks_.resize(n);
  restricts_.assign(n, false);
  for (size_t i = 0; i < n; ++i) {
    TokenConstraint& constraint = *constraints_[i];
    if (!constraint.Restricts()) continue;
    restricts_[i] = true;
    masks_[i].resize(static_cast<size_t>((n_vocab_ + 31) / 32));
    constraint.FillAllowed(masks_[i]);
  }
}

}  // namespace fab::runtime
