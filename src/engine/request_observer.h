// RequestObserver: how the engine streams one request's results to its
// submitter. Every call runs on the engine's step thread, between steps, so
// it must be cheap and must not block (hand the data to a queue or a socket
// writer); it may call Engine::Submit, Cancel and Stats, never Shutdown or
// the engine's destructor. OnToken is called once per generated token, in
// order; OnFinish exactly once, last, for every request Submit accepted.
#pragma once

#include "base/types.h"
#include "engine/request_summary.h"

namespace fab::engine {

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // `logprob`: log-probability of `token` under the request's sampler.
  virtual void OnToken(TokenId token, float logprob) = 0;
  virtual void OnFinish(const RequestSummary& summary) = 0;
};

}  // namespace fab::engine
