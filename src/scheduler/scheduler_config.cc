#include "scheduler/scheduler_config.h"

#include <string>

namespace fab::scheduler {

Status SchedulerConfig::Validate() const {
  if (max_tokens_per_step < 1 || max_tokens_per_step > kMaxTokensPerStepLimit) {
    return InvalidArgumentError("scheduler max_tokens_per_step " + std::to_string(max_tokens_per_step) +
                                " outside [1, " + std::to_string(kMaxTokensPerStepLimit) + "]");
  }
  if (max_sequences < 1 || max_sequences > kMaxSequencesLimit) {
    return InvalidArgumentError("scheduler max_sequences " + std::to_string(max_sequences) + " outside [1, " +
                                std::to_string(kMaxSequencesLimit) + "]");
  }
  if (max_sequences > max_tokens_per_step) {
    return InvalidArgumentError("scheduler max_sequences " + std::to_string(max_sequences) +
                                " exceeds max_tokens_per_step " + std::to_string(max_tokens_per_step) +
                                ": every running sequence needs one token per step");
  }
  if (prefill_chunk < 1 || prefill_chunk > max_tokens_per_step) {
    return InvalidArgumentError("scheduler prefill_chunk " + std::to_string(prefill_chunk) + " outside [1, " +
                                "max_tokens_per_step = " + std::to_string(max_tokens_per_step) + "]");
  }
  return kv_cache.Validate().WithContext("scheduler");
}

}  // namespace fab::scheduler
