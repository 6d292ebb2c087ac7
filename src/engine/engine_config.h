// EngineConfig: the plain-data settings of one engine, as they come from
// flags or config files; Validate() is where they are checked. The
// executor's pool geometry must match the scheduler's KV cache;
// MakeEngineConfig fills it in from the scheduler config.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "base/status.h"
#include "platform/model_power_source.h"
#include "platform/power_source.h"
#include "runtime/executor.h"
#include "scheduler/scheduler_config.h"

namespace fab::engine {

struct EngineConfig {
  static constexpr int32_t kMaxWaitingLimit = 1 << 20;

  scheduler::SchedulerConfig scheduler;
  runtime::ExecutorOptions executor;
  // Requests submitted but not yet running that Submit accepts; one more is
  // refused with ResourceExhausted. (Preempted requests re-queue regardless.)
  int32_t max_waiting = 256;
  // A step that has run longer than this counts as stalled: Engine::CheckStepping
  // (a readiness probe) says Unavailable until it ends. In [1 ms, 24 h].
  std::chrono::milliseconds stall_limit{std::chrono::seconds(60)};
  // Tokens per sequence (prompt + generated, FitsContext); 0: the model's
  // training context, which Create refuses to exceed.
  int64_t n_ctx = 0;
  // Where each step's energy is read (engine/step_energy.h); null: a
  // ModelPowerSource over the step thread and the pool's workers, with
  // `energy_model`'s watts.
  std::shared_ptr<PowerSource> power_source;
  EnergyModelOptions energy_model;

  // InvalidArgument naming the field: out-of-range limits (max_waiting,
  // stall_limit), or executor
  // n_blocks / block_size that differ from the scheduler's KV cache, or an
  // executor max_tokens_per_step below the scheduler's.
  Status Validate() const;
};

// A consistent config: executor geometry from `scheduler`, KV pages of `kv_dtype`.
EngineConfig MakeEngineConfig(const scheduler::SchedulerConfig& scheduler, runtime::KvDType kv_dtype,
                              int32_t max_waiting);

}  // namespace fab::engine
