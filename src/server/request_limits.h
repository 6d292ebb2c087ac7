// Caps on what one OpenAI request may ask for. Each is checked while parsing
// (server/completion_request.cc, server/chat_request.cc); a request over any
// of them is answered 400 naming the field. The body and header caps are
// enforced by the HTTP layer; the context-length check needs the model
// (server/prompt_checks.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "request/limits.h"  // kMaxStopStrings, kMaxStopStringBytes
#include "request/logprobs.h"  // kMaxTopLogprobs

namespace fab::server {

inline constexpr size_t kMaxRequestBodyBytes = 16u << 20;  // 413 past this, before reading it all
inline constexpr size_t kMaxRequestHeaderBytes = 16u << 10; // 431 past this
inline constexpr size_t kMaxJsonDepth = 32;             // nesting of the request body
inline constexpr size_t kMaxPrompts = 256;              // strings or id lists in one `prompt`
inline constexpr size_t kMaxPromptTokenIds = 1 << 20;   // ids in one token-id prompt
inline constexpr int64_t kMaxTokenId = INT32_MAX;       // vocabulary range is checked later
inline constexpr size_t kMaxMessages = 4096;            // chat messages
inline constexpr size_t kMaxContentParts = 1024;        // parts of one message's content
inline constexpr int64_t kMaxChoices = 16;              // `n`
inline constexpr int64_t kMaxNewTokens = 1 << 20;       // max_tokens / max_completion_tokens
inline constexpr size_t kMaxLogitBiasEntries = 1024;
inline constexpr int64_t kMaxLogprobs = kMaxTopLogprobs; // completions `logprobs`, `top_logprobs`
inline constexpr double kMaxTemperature = 2.0;
inline constexpr double kMaxPenalty = 2.0;              // |presence|, |frequency|
inline constexpr double kMinRepetitionPenalty = 0.01;   // the sampler's lower bound
inline constexpr double kMaxRepetitionPenalty = 10.0;
inline constexpr int64_t kMaxTopK = 1 << 20;            // -1 or 0 disable top-k
inline constexpr size_t kMaxUserBytes = 256;
inline constexpr size_t kMaxModelNameBytes = 256;
inline constexpr size_t kMaxRoleBytes = 32;

}  // namespace fab::server
