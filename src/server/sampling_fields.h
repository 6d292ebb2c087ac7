// SamplingFields: the generation controls that /v1/completions and
// /v1/chat/completions share (max tokens, sampling knobs, stop strings, n,
// logit_bias, streaming, user, priority), parsed and range-checked from the
// request object. Absent fields stay std::nullopt so that the caller applies
// the model's or the endpoint's default. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "base/types.h"
#include "scheduler/request.h"
#include "server/api_result.h"
#include "server/grammar_fields.h"

namespace fab::server {

struct SamplingFields {
  std::optional<int64_t> max_tokens;  // [0 or 1, kMaxNewTokens]; see ParseSamplingFields
  std::optional<double> temperature;  // [0, kMaxTemperature]; 0 = greedy
  std::optional<double> top_p;        // (0, 1]
  std::optional<int64_t> top_k;       // -1 or 0 = off, else [1, kMaxTopK]
  std::optional<double> min_p;        // [0, 1]
  std::optional<double> presence_penalty;   // [-2, 2]
  std::optional<double> frequency_penalty;  // [-2, 2]
  std::optional<double> repetition_penalty; // [kMinRepetitionPenalty, kMaxRepetitionPenalty]; 1 = off
  std::optional<int64_t> seed;              // any int64
  std::vector<std::string> stop;            // ≤ kMaxStopStrings, each non-empty
  int64_t n = 1;                            // [1, kMaxChoices]
  std::map<TokenId, float> logit_bias;      // id ≥ 0 (vocab checked later) → [-100, 100]
  bool stream = false;
  bool include_usage = false;               // stream_options.include_usage
  std::optional<std::string> user;
  Priority priority = Priority::kInteractive;  // "interactive" | "batch"
  // OpenAI's service_tier: "auto", "default", "flex", "priority" or "scale";
  // it may lower the key's tier, never raise it (server/job_metering.h).
  std::optional<std::string> service_tier;
  bool ignore_eos = false;  // vLLM/llama.cpp extension: end-of-generation tokens do not stop
  // metadata.deadline (RFC 3339) as Unix ms: a request not finished by then
  // ends with 504 deadline_exceeded (batch work deferred for power waits until then).
  std::optional<int64_t> deadline_ms;
  // Structured output: response_format, grammar, guided_* (server/grammar_fields.h).
  std::optional<GrammarSpec> grammar;
};

// Which endpoint's rules apply: completions allow max_tokens = 0 (prompt
// scoring with echo); chat also reads max_completion_tokens, which wins over
// the deprecated max_tokens.
enum class Endpoint { kCompletions, kChat };

ApiResult<SamplingFields> ParseSamplingFields(const boost::json::object& request,
                                              Endpoint endpoint);

// The `model` field: optional (empty = the served model), else a non-empty
// string of at most kMaxModelNameBytes.
ApiResult<std::string> ParseModelField(const boost::json::object& request);

}  // namespace fab::server
