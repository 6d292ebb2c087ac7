// Request: what a caller asks the scheduler to generate, and the outputs the
// scheduler reports after each step. Plain data; the engine fills a Request
// from an already-tokenized prompt and reads StepOutputs to stream tokens.
#pragma once

#include <cstdint>
#include <vector>

#include "base/types.h"
#include "kvcache/ids.h"
#include "runtime/sampler.h"
#include "runtime/step_plan.h"

namespace fab::scheduler {

// Unique among live requests; also the request's KV sequence id.
using RequestId = kvcache::SeqId;

// Lower value = served first. Interactive requests are admitted before any
// batch request and may preempt running batch requests; never the reverse.
enum class Priority : uint8_t { kInteractive = 0, kBatch = 1 };
inline constexpr int kNumPriorities = 2;

struct Request {
  RequestId id = 0;
  std::vector<TokenId> prompt;  // non-empty
  int32_t max_new_tokens = 0;   // >= 1; generation stops after this many tokens
  Priority priority = Priority::kBatch;
  // A sampled token from this set ends the request (it is still reported).
  std::vector<TokenId> stop_tokens;
  runtime::SamplingParams sampling;
  uint64_t cache_salt = 0;  // requests share cached prefixes only under equal salts
  // Alternatives per sampled (and scored prompt) token: [0, runtime::kMaxTopLogprobs].
  int32_t n_top_logprobs = 0;
  // Score every prompt token (ScheduledSequence::score_next) until the first
  // token is generated. Such a request takes no prefix-cache hits, since
  // cached positions have no logits; it still publishes its own blocks.
  bool prompt_logprobs = false;
};

enum class FinishReason : uint8_t {
  kMaxTokens,   // max_new_tokens generated
  kStopToken,   // sampled one of stop_tokens
  kKvCacheFull, // the sequence outgrew the whole KV pool while running alone
};

const char* FinishReasonName(FinishReason reason);

// Per-request counters, for metrics and usage accounting.
struct RequestCounters {
  int64_t n_prompt_tokens = 0;
  int64_t n_cached_prompt_tokens = 0;  // prompt tokens served by the prefix cache at first admission
  int32_t n_generated = 0;
  int32_t n_preemptions = 0;
};

struct GeneratedToken {
  RequestId id = 0;
  TokenId token = 0;
  float logprob = 0.0f;                          // raw (runtime::SampledToken)
  std::vector<runtime::TokenLogprob> top = {};  // n_top_logprobs alternatives, best first
};

struct FinishedRequest {
  RequestId id = 0;
  FinishReason reason = FinishReason::kMaxTokens;
  RequestCounters counters;
};

// What one Update() reports. Each vector is in scheduling order.
struct StepOutputs {
  std::vector<GeneratedToken> tokens;      // one per request that sampled this step
  std::vector<FinishedRequest> finished;   // ended this step; their blocks are freed
  std::vector<RequestId> preempted;        // sent back to waiting by the last Schedule()
};

}  // namespace fab::scheduler
