// GenerationRequest: what a caller (the server, a benchmark, the public API)
// asks the engine to generate, from an already-tokenized prompt. The engine
// checks it in Submit and gives it a RequestId; the scheduler keeps it as it
// is (scheduler::Request adds only the id). Header-only plain data.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "base/types.h"
#include "request/priority.h"
#include "request/sampling_params.h"
#include "request/token_constraint.h"

namespace fab {

struct GenerationRequest {
  std::vector<TokenId> prompt;  // non-empty, every id in [0, n_vocab)
  int32_t max_new_tokens = 0;   // >= 1; FitsContext(prompt, max_new_tokens - 1, n_ctx)
  Priority priority = Priority::kBatch;
  // A sampled token from this set ends the request (it is still reported).
  std::vector<TokenId> stop_tokens;
  SamplingParams sampling;
  uint64_t cache_salt = 0;  // requests share cached prefixes only under equal salts
  // Alternatives reported per generated (and scored prompt) token: [0, kMaxTopLogprobs].
  int32_t n_top_logprobs = 0;
  // Score every prompt token until the first token is generated. Such a
  // request takes no prefix-cache hits, since cached positions have no
  // logits; it still publishes its own blocks.
  bool prompt_logprobs = false;
  // When set, only the tokens it allows are sampled (structured output).
  std::shared_ptr<TokenConstraint> constraint;
  // When set, a request not finished by then ends with kError (DeadlineExceeded).
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

}  // namespace fab
