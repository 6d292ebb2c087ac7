// The chat template a model is served with: the GGUF's
// tokenizer.chat_template, or, for a model without one,
// kFallbackChatTemplate. Used by the OpenAI server and the public API alike.
#pragma once

#include <optional>

#include "base/status.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace fab {

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
// parse (a server should refuse to start rather than 400 every chat).
StatusOr<std::optional<ChatTemplate>> ModelChatTemplate(const Tokenizer& tokenizer);

}  // namespace fab
