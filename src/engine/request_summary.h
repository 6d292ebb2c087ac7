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
#include "request/finish_reason.h"
#include "request/ids.h"
#include "request/request_counters.h"

namespace fab::engine {

using Clock = std::chrono::steady_clock;

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
  FinishReason reason = FinishReason::kMaxTokens;  // the engine never reports kStopString
  Status error;  // non-OK only for FinishReason::kError
  RequestCounters counters;
  RequestTimings timings;
  // Its shares of the steps that computed it (engine/step_energy.h): energy
  // in joules, as the engine's power source measured it, and machine time.
  double joules = 0.0;
  double machine_seconds = 0.0;
};

}  // namespace fab::engine
