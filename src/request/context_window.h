// The one context-length rule: a request fits when its prompt and every token
// it may generate fit in the context, n_prompt + max_new_tokens <= n_ctx
// (vLLM's max_model_len rule; OpenAI's "maximum context length"). The front
// ends (the OpenAI server, the public API) apply it to what the caller asked
// for, answering before anything is queued, and default max_tokens to the
// room left. The engine applies it to the tokens that take a position, every
// one but the last generated (never fed back): FitsContext(n_prompt,
// max_new_tokens - 1, n_ctx), so a scoring request (echo, max_tokens 0, one
// dropped token inside) may fill the whole context. Header-only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace fab {

inline bool FitsContext(int64_t n_prompt, int64_t max_new_tokens, int64_t n_ctx) {
  return n_prompt + max_new_tokens <= n_ctx;
}

// A context option (0: the model's own) must lie in [0, n_ctx_train]:
// InvalidArgument naming it otherwise.
inline Status CheckContextOption(int64_t n_ctx, int64_t n_ctx_train) {
  if (n_ctx >= 0 && n_ctx <= n_ctx_train) return OkStatus();
  return InvalidArgumentError("n_ctx " + std::to_string(n_ctx) + " is outside [0, " + std::to_string(n_ctx_train) +
                              "], the model's training context");
}

// The most tokens a prompt of n_prompt tokens leaves room for: >= 0.
inline int64_t RoomForNewTokens(int64_t n_prompt, int64_t n_ctx) { return std::max<int64_t>(0, n_ctx - n_prompt); }

}  // namespace fab
