// FailingExecutor: a StepExecutor for fault-injection tests (engine and
// server): it forwards to a real runtime::Executor, except that its n-th
// non-empty step (1-based) fails with InternalError("injected fault").
// Called only from the engine's step thread, like any StepExecutor.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "base/status.h"
#include "engine/step_executor.h"
#include "runtime/executor.h"

namespace fab::engine {

class FailingExecutor : public StepExecutor {
 public:
  FailingExecutor(std::unique_ptr<runtime::Executor> inner, int64_t failing_step)
      : inner_(std::move(inner)), failing_step_(failing_step) {}

  StatusOr<StepResult> Execute(const StepPlan& plan) override {
    if (!plan.empty() && ++n_steps_ == failing_step_) return InternalError("injected fault");
    return inner_->Execute(plan);
  }

 private:
  std::unique_ptr<runtime::Executor> inner_;
  int64_t failing_step_;
  int64_t n_steps_ = 0;
};

}  // namespace fab::engine
