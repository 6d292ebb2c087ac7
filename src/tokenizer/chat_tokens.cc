#include "tokenizer/chat_tokens.h"

#include <optional>
#include <string>
#include <utility>

namespace fab {
namespace {

std::optional<std::string> TokenTextOf(const Tokenizer& tokenizer, TokenId id) {
  if (!tokenizer.IsValid(id)) return std::nullopt;
  return std::string(tokenizer.TokenText(id));
}

}  // namespace

StatusOr<std::vector<TokenId>> ChatTokens(const Tokenizer& tokenizer, const ChatTemplate& chat_template,
                                          boost::json::array messages, boost::json::array tools,
                                          bool add_generation_prompt) {
  ChatTemplateInputs inputs;
  inputs.messages = std::move(messages);
  inputs.tools = std::move(tools);
  inputs.add_generation_prompt = add_generation_prompt;
  inputs.bos_token = TokenTextOf(tokenizer, tokenizer.bos_id());
  inputs.eos_token = TokenTextOf(tokenizer, tokenizer.eos_id());
  StatusOr<std::string> rendered = chat_template.Render(inputs);
  if (!rendered.ok()) return InvalidArgumentError("the chat template failed: " + rendered.status().message());
  StatusOr<std::vector<TokenId>> ids = tokenizer.Encode(*rendered, EncodeOptions{.add_special = false, .parse_special = true});
  if (!ids.ok()) return InvalidArgumentError("the rendered chat cannot be tokenized: " + ids.status().message());
  std::vector<TokenId> tokens = std::move(ids).value();
  if (tokenizer.add_bos() && tokenizer.IsValid(tokenizer.bos_id()) &&
      (tokens.empty() || tokens.front() != tokenizer.bos_id())) {
    tokens.insert(tokens.begin(), tokenizer.bos_id());
  }
  if (tokens.empty()) return InvalidArgumentError("the rendered chat is empty");
  return tokens;
}

}  // namespace fab
