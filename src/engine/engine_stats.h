// EngineStats: a snapshot of the engine for metrics and admission decisions,
// published by the step thread after every step; Engine::Stats() copies it
// (any thread). Totals count since the engine was created.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "engine/request_summary.h"

namespace fab::engine {

struct EngineStats {
  int32_t n_running = 0;  // admitted, holding KV
  int32_t n_waiting = 0;  // submitted, not running (queued, held back or preempted)
  int32_t n_kv_blocks_used = 0;
  int32_t n_kv_blocks_used_peak = 0;
  int32_t n_kv_blocks_total = 0;
  int32_t kv_block_size = 0;
  double kv_usage = 0.0;  // n_kv_blocks_used / n_kv_blocks_total

  // Of finished requests (from their summaries).
  int64_t n_prompt_tokens = 0;
  int64_t n_cached_prompt_tokens = 0;
  // Live, as they happen.
  int64_t n_generated_tokens = 0;
  int64_t n_preemptions = 0;
  // Prefix-cache lookups at each request's first admission, in prompt tokens:
  // looked up, and found cached.
  int64_t n_prefix_query_tokens = 0;
  int64_t n_prefix_hit_tokens = 0;

  int64_t n_submitted = 0;
  int64_t n_finished = 0;  // every reason
  std::array<int64_t, kNumFinishReasons> n_finished_by_reason{};
  int64_t n_steps = 0;  // non-empty plans executed

  // Energy since the engine started, from its power source (label): spent
  // in steps that computed requests (attributed to them), and between or
  // in empty steps (idle, attributed to no one).
  std::string energy_source;
  double attributed_joules = 0.0;
  double idle_joules = 0.0;

  // Power (engine/power_limiter.h): the budget in force (< 0: none), the
  // meter's mean watts over the limiter's window (< 0: not yet known), the
  // limiter's level and duty, and the live requests its throttle holds back.
  double power_budget_watts = -1.0;
  double power_watts = -1.0;
  int32_t power_level = 0;
  double power_duty = 1.0;
  int32_t n_deferred = 0;
};

}  // namespace fab::engine
