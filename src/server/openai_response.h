// The OpenAI response bodies for /v1/completions and /v1/chat/completions,
// whole and as stream chunks, as compact JSON, and their two logprobs
// formats. Field order follows OpenAI's. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "request/finish_reason.h"

namespace fab::server {

// OpenAI's finish_reason: "stop" for a stop token or string (IsStop),
// "length" for every other reason (max tokens, a full KV cache, a cancel or
// an error that cut the text short).
const char* OpenAiFinishReason(FinishReason reason);

struct Usage {
  int64_t n_prompt_tokens = 0;
  int64_t n_completion_tokens = 0;
  int64_t n_cached_prompt_tokens = 0;  // prompt tokens served from the prefix cache
};

// What every body and chunk of one response shares.
struct ResponseHeader {
  std::string id;        // "cmpl-…" or "chatcmpl-…"
  int64_t created = 0;   // Unix seconds
  std::string model;
};

// One tool call as a chat message carries it.
struct ToolCall {
  std::string id;         // "call_…" (or what the family's template requires)
  std::string name;
  std::string arguments;  // JSON text, as OpenAI sends it
};

struct Choice {
  int64_t index = 0;
  std::string text;
  std::optional<FinishReason> finish_reason;  // null while streaming
  boost::json::value logprobs;                // from *LogprobsJson, or null
  // Chat: the calls the output made. When a choice that made any ends with a
  // stop, its finish_reason is "tool_calls"; its content is null when the
  // text around the calls is only white space.
  std::vector<ToolCall> tool_calls;
};

// A streamed tool call's piece: the first carries id, type and name (and
// empty arguments), the later ones argument fragments.
struct ToolCallDelta {
  int64_t index = 0;               // the call's place in the message's tool_calls
  std::optional<std::string> id;   // with the name: the call's first delta
  std::optional<std::string> name;
  std::string arguments;
};

// One position of an OpenAI logprobs list: the token's raw bytes (`piece`,
// maybe part of a character), its log-probability and its best alternatives
// as text (from the engine's TokenLogprob values).
struct LogprobEntry {
  std::string piece;
  std::optional<float> logprob;  // absent for the first prompt token under echo
  std::vector<std::pair<std::string, float>> top;  // best first
};

// Logprobs below this (and -inf) are written as this, as OpenAI does.
inline constexpr double kLogprobFloor = -9999.0;

// The completions format: {"tokens","token_logprobs","top_logprobs","text_offset"},
// top_logprobs entries {piece: logprob}; offsets count bytes from `text_offset`.
boost::json::value CompletionLogprobsJson(const std::vector<LogprobEntry>& tokens,
                                          int64_t text_offset);

// The chat format: {"content":[{"token","logprob","bytes","top_logprobs":[…]}]};
// "token" is the piece as valid UTF-8 (U+FFFD for broken bytes), "bytes" exact.
boost::json::value ChatLogprobsJson(const std::vector<LogprobEntry>& tokens);

// {"prompt_tokens","completion_tokens","total_tokens","prompt_tokens_details":{"cached_tokens"}}
boost::json::object UsageJson(const Usage& usage);

// object "text_completion"; usage omitted when null (stream chunks).
std::string CompletionBody(const ResponseHeader& header, const std::vector<Choice>& choices,
                           const std::optional<Usage>& usage);

// object "chat.completion": choices carry message {role:"assistant", content}
// and, when the choice made calls, tool_calls [{id, type:"function", function:{name, arguments}}].
std::string ChatBody(const ResponseHeader& header, const std::vector<Choice>& choices,
                     const Usage& usage);

// object "chat.completion.chunk": one choice with delta {role?, content?};
// `first` adds role "assistant"; an empty text with a finish reason sends
// an empty delta. A choice with tool_calls finishes "tool_calls" (its calls
// went out in ChatToolCallChunks before).
std::string ChatChunk(const ResponseHeader& header, const Choice& choice, bool first);

// object "chat.completion.chunk": one choice whose delta is {tool_calls: […]}.
std::string ChatToolCallChunk(const ResponseHeader& header, int64_t choice_index,
                              const std::vector<ToolCallDelta>& calls);

// The final usage-only chunk of a stream with include_usage: choices [].
std::string ChatUsageChunk(const ResponseHeader& header, const Usage& usage);
std::string CompletionUsageChunk(const ResponseHeader& header, const Usage& usage);

}  // namespace fab::server
