#include "server/served_model.h"

namespace fab::server {

StatusOr<std::optional<ChatTemplate>> ModelChatTemplate(const Tokenizer& tokenizer) {
  const std::string& source = tokenizer.vocab().chat_template;
  if (source.empty()) return std::optional<ChatTemplate>();
  StatusOr<ChatTemplate> parsed = ChatTemplate::Parse(source);
  if (!parsed.ok()) return parsed.status().WithContext("tokenizer.chat_template");
  return std::optional<ChatTemplate>(std::move(parsed).value());
}

}  // namespace fab::server
