// RequestSummary: how one request ended, with its counters and timings, as
// the engine reports it once per request (RequestObserver::OnFinish). Times
// are std::chrono::steady_clock points taken on the engine's step thread
// (tokens of one step share one time). Plain data.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "engine/generation_request.h"
#include "scheduler/request.h"

namespace fab::engine {

using Clock = std::chrono::steady_clock;

enum class FinishReason : uint8_t {
  kMaxTokens,    // max_new_tokens generated
  kStopToken,    // sampled one of stop_tokens
  kCancelled,    // Cancel(), or still running at the shutdown deadline
  kKvCacheFull,  // outgrew the whole KV pool while running alone
  kError,        // the step running it failed; RequestSummary::error says why
};
inline constexpr int kNumFinishReasons = 5;

// "max_tokens", "stop_token", "cancelled", "kv_cache_full", "error".
const char* FinishReasonName(FinishReason reason);

// n_prompt_tokens, n_cached_prompt_tokens (served by the prefix cache at
// first admission), n_generated, n_preemptions.
using RequestCounters = scheduler::RequestCounters;

struct RequestTimings {
  Clock::time_point submitted;
  std::optional<Clock::time_point> started;      // first step that fed it (end of queueing)
  std::optional<Clock::time_point> first_token;  // the step that produced its first token
  Clock::time_point finished;
  // Gaps between consecutive tokens: [n_generated - 1] (empty without tokens).
  std::vector<Clock::duration> inter_token_gaps;

  // Seconds from submission to start (to finish when it never started).
  double queue_seconds() const;
  // Seconds from submission to the first token; nullopt without tokens.
  std::optional<double> time_to_first_token_seconds() const;
  double end_to_end_seconds() const;
};

struct RequestSummary {
  RequestId id = 0;
  FinishReason reason = FinishReason::kMaxTokens;
  Status error;  // non-OK only for FinishReason::kError
  RequestCounters counters;
  RequestTimings timings;
};

}  // namespace fab::engine
