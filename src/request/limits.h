// Caps on a request that every front end (the OpenAI server, the public API)
// and the engine apply alike; more is a malformed request, not a use case.
// Header-only.
#pragma once

#include <cstddef>

namespace fab {

inline constexpr size_t kMaxStopStrings = 16;        // OpenAI allows 4; vLLM more
inline constexpr size_t kMaxStopStringBytes = 1024;  // each stop string
inline constexpr size_t kMaxStopTokens = 1024;       // GenerationRequest::stop_tokens

}  // namespace fab
