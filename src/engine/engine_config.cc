#include "engine/engine_config.h"

#include <string>

namespace fab::engine {

Status EngineConfig::Validate() const {
  FAB_RETURN_IF_ERROR(scheduler.Validate());
  if (max_waiting < 1 || max_waiting > kMaxWaitingLimit) {
    return InvalidArgumentError("engine max_waiting " + std::to_string(max_waiting) + " outside [1, " +
                                std::to_string(kMaxWaitingLimit) + "]");
  }
  if (stall_limit < std::chrono::milliseconds(1) || stall_limit > std::chrono::hours(24)) {
    return InvalidArgumentError("engine stall_limit " + std::to_string(stall_limit.count()) +
                                " ms outside [1 ms, 24 h]");
  }
  if (executor.n_blocks != scheduler.kv_cache.n_blocks()) {
    return InvalidArgumentError("engine executor n_blocks " + std::to_string(executor.n_blocks) +
                                " differs from the KV cache's " + std::to_string(scheduler.kv_cache.n_blocks()));
  }
  if (executor.block_size != scheduler.kv_cache.block_size) {
    return InvalidArgumentError("engine executor block_size " + std::to_string(executor.block_size) +
                                " differs from the KV cache's " + std::to_string(scheduler.kv_cache.block_size));
  }
  if (executor.max_tokens_per_step < scheduler.max_tokens_per_step) {
    return InvalidArgumentError("engine executor max_tokens_per_step " + std::to_string(executor.max_tokens_per_step) +
                                " is below the scheduler's " + std::to_string(scheduler.max_tokens_per_step));
  }
  return OkStatus();
}

EngineConfig MakeEngineConfig(const scheduler::SchedulerConfig& scheduler, runtime::KvDType kv_dtype,
                              int32_t max_waiting) {
  EngineConfig config;
  config.scheduler = scheduler;
  config.executor.n_blocks = scheduler.kv_cache.n_blocks();
  config.executor.block_size = scheduler.kv_cache.block_size;
  config.executor.max_tokens_per_step = scheduler.max_tokens_per_step;
  config.executor.kv_dtype = kv_dtype;
  config.max_waiting = max_waiting;
  return config;
}

}  // namespace fab::engine
