// Bodies of the vLLM-style utility routes, validated as plain data:
// POST /tokenize {"model"?, "prompt": string, "add_special_tokens"?: true}
//             or {"model"?, "messages": […], "add_generation_prompt"?: true,
//                 "add_special_tokens"?: false}
// POST /detokenize {"model"?, "tokens": [ids]}
// Errors are 400 naming the field, as for the completion routes. Pure,
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/types.h"
#include "server/api_result.h"
#include "server/chat_request.h"

namespace fab::server {

struct TokenizeRequest {
  std::string model;                  // empty: the served model
  std::optional<std::string> prompt;  // exactly one of prompt and messages
  std::vector<ChatMessage> messages;
  bool add_special_tokens = true;     // default false for messages (the template adds them)
  bool add_generation_prompt = true;  // messages only
};

struct DetokenizeRequest {
  std::string model;
  std::vector<TokenId> tokens;  // may be empty; ids in [0, kMaxTokenId], vocabulary checked later
};

ApiResult<TokenizeRequest> ParseTokenizeRequest(std::string_view body);
ApiResult<DetokenizeRequest> ParseDetokenizeRequest(std::string_view body);

}  // namespace fab::server
