// Request: a GenerationRequest with the id the engine gave it, as the
// scheduler keeps it, and the outputs the scheduler reports after each step.
// Plain data; the engine reads StepOutputs to stream tokens.
#pragma once

#include <cstdint>
#include <vector>

#include "base/types.h"
#include "request/finish_reason.h"
#include "request/generation_request.h"
#include "request/ids.h"
#include "request/logprobs.h"
#include "request/request_counters.h"
#include "request/step_plan.h"

namespace fab::scheduler {

// The request's fields are GenerationRequest's (one definition); the id is
// unique among live requests and is also the request's KV sequence id.
struct Request : GenerationRequest {
  RequestId id = 0;
};

// reason is kMaxTokens, kStopToken or kKvCacheFull.
struct FinishedRequest {
  RequestId id = 0;
  FinishReason reason = FinishReason::kMaxTokens;
  RequestCounters counters;
};

// What one Update() reports. Each vector is in scheduling order.
struct StepOutputs {
  std::vector<SampledToken> tokens;        // one per request that sampled this step; seq_id is its RequestId
  std::vector<FinishedRequest> finished;   // ended this step; their blocks are freed
  std::vector<RequestId> preempted;        // sent back to waiting by the last Schedule()
};

}  // namespace fab::scheduler
