// RequestObserver: how the engine streams one request's results to its
// submitter. Every call runs on the engine's step thread, between steps, so
// it must be cheap and must not block (hand the data to a queue or a socket
// writer); it may call Engine::Submit, Cancel and Stats, never Shutdown or
// the engine's destructor. OnToken is called once per generated token, in
// order; OnFinish exactly once, last, for every request Submit accepted.
#pragma once

#include <span>
#include <vector>

#include "base/types.h"
#include "engine/request_summary.h"
#include "request/logprobs.h"

namespace fab::engine {

// One prompt position's score: the prompt token there, its log-probability
// given the tokens before it, and the n_top_logprobs best alternatives.
struct PromptTokenLogprob {
  TokenId token = 0;
  float logprob = 0.0f;
  std::vector<TokenLogprob> top;  // best first
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // `logprob`: log-probability of `token` under the model's raw distribution
  // (see TokenLogprob).
  virtual void OnToken(TokenId token, float logprob) = 0;
  // Requests with n_top_logprobs > 0: called just before each OnToken with
  // that position's best n_top_logprobs alternatives, best first.
  virtual void OnTopLogprobs(std::span<const TokenLogprob> top) { (void)top; }
  // Requests with prompt_logprobs: called once, before the first OnToken,
  // with prompt positions 1 … n_prompt - 1 (position 0 has no context).
  virtual void OnPromptLogprobs(std::span<const PromptTokenLogprob> prompt) { (void)prompt; }
  virtual void OnFinish(const RequestSummary& summary) = 0;
};

}  // namespace fab::engine
