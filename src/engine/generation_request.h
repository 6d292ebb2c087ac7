// GenerationRequest: what a caller (the HTTP server, a benchmark) asks the
// engine to generate, from an already-tokenized prompt. Plain data; the
// engine validates it in Submit and assigns the request id.
#pragma once

#include <cstdint>
#include <vector>

#include "base/types.h"
#include "runtime/sampler.h"
#include "scheduler/request.h"

namespace fab::engine {

using RequestId = scheduler::RequestId;
using Priority = scheduler::Priority;

struct GenerationRequest {
  std::vector<TokenId> prompt;  // non-empty, every id in [0, n_vocab)
  int32_t max_new_tokens = 0;   // >= 1; prompt + max_new_tokens - 1 <= the model's context
  Priority priority = Priority::kBatch;
  // A sampled token from this set ends the request (it is still streamed).
  std::vector<TokenId> stop_tokens;
  runtime::SamplingParams sampling;
  uint64_t cache_salt = 0;  // requests share cached prefixes only under equal salts
  // Alternatives reported per generated token through OnTopLogprobs: [0, 20].
  int32_t n_top_logprobs = 0;
  // Score the prompt (OnPromptLogprobs); such a request bypasses prefix-cache
  // hits, since cached positions have no logits.
  bool prompt_logprobs = false;
};

}  // namespace fab::engine
