// ChatRequest: the validated body of POST /v1/chat/completions as plain data,
// ready for the model's chat template. Text-only: content is a string or an
// array of {"type":"text","text":…} parts (joined with "\n", as vLLM does);
// other part types are a 400. Tools are checked (names as OpenAI allows
// them, parameters an object) and kept as raw JSON for the template;
// tool_choice must name "none", "auto", "required" or one of the tools.
// Unknown fields are ignored. Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "server/api_result.h"
#include "server/sampling_fields.h"

namespace fab::server {

struct ChatMessage {
  std::string role;                    // system | developer | user | assistant | tool
  std::optional<std::string> content;  // absent only for an assistant message
  std::optional<std::string> name;
  std::optional<std::string> tool_call_id;  // tool messages
  boost::json::value tool_calls;            // assistant messages: raw array, or null
};

struct ToolChoice {
  enum class Kind { kAuto, kNone, kRequired, kNamed };
  Kind kind = Kind::kAuto;  // OpenAI's default when tools are given
  std::string name;         // kNamed: the function that must be called
};

struct ChatRequest {
  std::string model;  // empty: the served model
  std::vector<ChatMessage> messages;  // [1, kMaxMessages]
  SamplingFields sampling;            // max_completion_tokens wins over max_tokens
  bool logprobs = false;
  std::optional<int> top_logprobs;    // [0, kMaxLogprobs]; requires logprobs: true
  boost::json::value tools;           // raw array of {"type":"function","function":{"name",…}}, or null
  ToolChoice tool_choice;
  bool parallel_tool_calls = true;
};

ApiResult<ChatRequest> ParseChatRequest(std::string_view body);

// The `messages` field of `request`: required, non-empty, ≤ kMaxMessages.
ApiResult<std::vector<ChatMessage>> ParseChatMessages(const boost::json::object& request);

}  // namespace fab::server
