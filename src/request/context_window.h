// The one context-length rule: a request fits when its prompt and every token
// it may generate fit in the model's context, n_prompt + max_new_tokens <=
// n_ctx (vLLM's max_model_len rule; OpenAI's "maximum context length"). The
// engine refuses requests that break it; the server answers 400 before
// queueing and defaults max_tokens to the room left. Header-only.
#pragma once

#include <algorithm>
#include <cstdint>

namespace fab {

inline bool FitsContext(int64_t n_prompt, int64_t max_new_tokens, int64_t n_ctx) {
  return n_prompt + max_new_tokens <= n_ctx;
}

// The most tokens a prompt of n_prompt tokens leaves room for: >= 0.
inline int64_t RoomForNewTokens(int64_t n_prompt, int64_t n_ctx) { return std::max<int64_t>(0, n_ctx - n_prompt); }

}  // namespace fab
