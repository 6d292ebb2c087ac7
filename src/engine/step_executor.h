// StepExecutor: the part of the runtime the engine's step thread drives:
// one StepPlan in, one StepResult out (runtime/step_plan.h). Production
// engines wrap runtime::Executor (Engine::Create does); tests and other
// runtimes may supply their own through Engine::CreateWithExecutor. Called
// only from the engine's step thread.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "request/step_plan.h"

namespace fab::engine {

class StepExecutor {
 public:
  virtual ~StepExecutor() = default;
  // An error fails every sequence of `plan` (FinishReason::kError); the
  // engine goes on with the next step.
  virtual StatusOr<StepResult> Execute(const StepPlan& plan) = 0;
};

// What Submit checks requests against: the model's vocabulary and context.
struct ModelLimits {
  int64_t n_vocab = 0;
  int64_t n_ctx = 0;
};

}  // namespace fab::engine
