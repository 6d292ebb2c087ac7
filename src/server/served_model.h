// ServedModel: what the OpenAI handler serves — the model's name, tokenizer,
// chat template and limits — as plain data built once by `tokenfab serve`.
// Also the chat template a served model uses: the GGUF's
// tokenizer.chat_template, or, for a model without one, kFallbackChatTemplate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace fab::server {

struct ServedModel {
  std::string name;                            // served model name (default: the file stem)
  const Tokenizer* tokenizer = nullptr;        // outlives the handler
  std::optional<ChatTemplate> chat_template;   // nullopt: kFallbackChatTemplate
  int64_t n_context = 0;                       // the model's context length, in tokens
  int64_t created = 0;                         // Unix seconds, for /v1/models
};

// The template for models without tokenizer.chat_template: each message as
// "<role>: <content>\n\n" after bos_token, then "assistant:" when a
// generation prompt is asked for. Plain text, so it works with any
// vocabulary; a model not trained on it will answer poorly, but it answers.
inline constexpr const char* kFallbackChatTemplate =
    "{{ bos_token if bos_token is defined else '' }}"
    "{% for message in messages %}"
    "{{ message['role'] }}: {{ message['content'] if message['content'] is not none else '' }}\n\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}";

// The model's own chat template (tokenizer.chat_template of `tokenizer`'s
// vocabulary), nullopt when it has none; InvalidArgument when it does not
// parse (the server should refuse to start rather than 400 every chat).
StatusOr<std::optional<ChatTemplate>> ModelChatTemplate(const Tokenizer& tokenizer);

}  // namespace fab::server
