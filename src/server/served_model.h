// ServedModel: what the OpenAI handler serves — the model's name, tokenizer,
// chat template and limits — as plain data built once by `tokenfab serve`.
// The chat template comes from tokenizer/model_chat_template.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/model_chat_template.h"
#include "tokenizer/tokenizer.h"

namespace fab::server {

struct ServedModel {
  std::string name;                            // served model name (default: the file stem)
  const Tokenizer* tokenizer = nullptr;        // outlives the handler
  std::optional<ChatTemplate> chat_template;   // nullopt: kFallbackChatTemplate
  int64_t n_context = 0;                       // the model's context length, in tokens
  int64_t created = 0;                         // Unix seconds, for /v1/models
};

}  // namespace fab::server
