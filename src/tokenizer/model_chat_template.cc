#include "tokenizer/model_chat_template.h"

#include <string>
#include <utility>

namespace fab {

StatusOr<std::optional<ChatTemplate>> ModelChatTemplate(const Tokenizer& tokenizer) {
  const std::string& source = tokenizer.vocab().chat_template;
  if (source.empty()) return std::optional<ChatTemplate>();
  StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(source);
  if (!parsed.ok()) return parsed.status().WithContext("tokenizer.chat_template");
  return std::optional<ChatTemplate>(std::move(parsed).value());
}

}  // namespace fab
