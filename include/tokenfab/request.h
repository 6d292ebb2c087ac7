// The vocabulary of a request, shared by the public API and the engine inside
// (src/request/ names these same types into namespace fab): how to sample,
// how urgent it is, why it ended, and what one token's log-probability is.
// Plain data; copy freely between threads.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tokenfab/status.h"

namespace tokenfab {

using TokenId = int32_t;  // index into a model's vocabulary

// Premium requests are admitted before interactive ones, and interactive
// before batch; a request may preempt running requests of a lower priority,
// never the reverse. The values are stable (the C API's); the order is
// PriorityRank's. Premium is what a tenant's premium tier gets.
enum class Priority : uint8_t { kInteractive = 0, kBatch = 1, kPremium = 2 };
inline constexpr int kNumPriorities = 3;

// 0 is served first: premium 0, interactive 1, batch 2.
constexpr int PriorityRank(Priority priority) {
  return priority == Priority::kPremium ? 0 : priority == Priority::kInteractive ? 1 : 2;
}

// Why a request ended. The engine's scheduler reports kMaxTokens,
// kStopToken and kKvCacheFull; the engine adds kCancelled and kError; stop
// strings, matched on text, give kStopString.
enum class FinishReason : uint8_t {
  kMaxTokens = 0,    // max tokens generated
  kStopToken = 1,    // sampled an end-of-generation (or other stop) token
  kCancelled = 2,    // cancelled, or still running at the shutdown deadline
  kKvCacheFull = 3,  // outgrew the whole KV pool while running alone
  kError = 4,        // the step running it failed
  kStopString = 5,   // its text reached a stop string
};
inline constexpr int kNumFinishReasons = 6;

// "max_tokens", "stop_token", "cancelled", "kv_cache_full", "error", "stop_string".
inline const char* FinishReasonName(FinishReason reason) {
  switch (reason) {
    case FinishReason::kMaxTokens: return "max_tokens";
    case FinishReason::kStopToken: return "stop_token";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kKvCacheFull: return "kv_cache_full";
    case FinishReason::kError: return "error";
    case FinishReason::kStopString: return "stop_string";
  }
  return "unknown";
}

// Whether the request stopped on its own terms (OpenAI's finish_reason
// "stop"); every other reason is "length".
inline bool IsStop(FinishReason reason) {
  return reason == FinishReason::kStopToken || reason == FinishReason::kStopString;
}

// The most alternatives a request may ask for per position (OpenAI's cap).
inline constexpr int32_t kMaxTopLogprobs = 20;

// A token and its log-probability under the model's raw distribution:
// log-softmax of the logits, before logit bias, penalties and temperature.
struct TokenLogprob {
  TokenId token = 0;
  float logprob = 0.0f;
};

// OpenAI's range for one logit_bias value.
inline constexpr float kMaxLogitBias = 100.0f;

// (token id, amount added to its logit); repeated ids add up.
using LogitBias = std::vector<std::pair<TokenId, float>>;

// How one request turns logits into its next token: the logit bias, the
// penalties, then greedy when temperature <= 0, else top-k, temperature,
// top-p, min-p and a draw from a generator seeded by `seed` (the same seed
// and the same logits give the same tokens).
struct SamplingParams {
  float temperature = 0.8f;         // <= 0: greedy
  int32_t top_k = 40;               // <= 0: off
  float top_p = 0.95f;              // >= 1: off
  float min_p = 0.05f;              // <= 0: off
  float repetition_penalty = 1.0f;  // 1: off (llama.cpp semantics: divide positive logits, multiply negative)
  float frequency_penalty = 0.0f;   // subtract count * penalty
  float presence_penalty = 0.0f;    // subtract penalty once if present
  int32_t penalty_last_n = 64;      // window of recent tokens the penalties see
  uint64_t seed = 0;
  // Added to the logits of these tokens before anything else (OpenAI
  // logit_bias), also when greedy. Ids must lie in the vocabulary and
  // amounts in [-kMaxLogitBias, kMaxLogitBias] (checked at submission).
  LogitBias logit_bias;

  // InvalidArgument naming the field when a value is out of range or NaN.
  // The logit bias needs the vocabulary size and is checked at submission.
  Status Validate() const;
};

namespace internal {
inline bool InRange(float value, float low, float high) { return std::isfinite(value) && value >= low && value <= high; }
}  // namespace internal

inline Status SamplingParams::Validate() const {
  using internal::InRange;
  auto invalid = [](const char* message) { return Status(StatusCode::kInvalidArgument, message); };
  if (!InRange(temperature, 0.0f, 100.0f)) return invalid("temperature must be in [0, 100]");
  if (top_k < 0) return invalid("top_k must be >= 0");
  if (!InRange(top_p, 0.0f, 1.0f)) return invalid("top_p must be in [0, 1]");
  if (!InRange(min_p, 0.0f, 1.0f)) return invalid("min_p must be in [0, 1]");
  if (!InRange(repetition_penalty, 0.01f, 100.0f)) return invalid("repetition_penalty must be in [0.01, 100]");
  if (!InRange(frequency_penalty, -2.0f, 2.0f)) return invalid("frequency_penalty must be in [-2, 2]");
  if (!InRange(presence_penalty, -2.0f, 2.0f)) return invalid("presence_penalty must be in [-2, 2]");
  if (penalty_last_n < 0) return invalid("penalty_last_n must be >= 0");
  return Status();
}

}  // namespace tokenfab
