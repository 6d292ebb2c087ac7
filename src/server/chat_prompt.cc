#include "server/chat_prompt.h"

#include <string>

namespace fab::server {
namespace json = boost::json;
namespace {

json::array MessagesJson(const std::vector<ChatMessage>& messages) {
  json::array out;
  for (const ChatMessage& message : messages) {
    json::object item;
    item["role"] = message.role;
    item["content"] = message.content ? json::value(*message.content) : json::value(nullptr);
    if (message.name) item["name"] = *message.name;
    if (message.tool_call_id) item["tool_call_id"] = *message.tool_call_id;
    if (!message.tool_calls.is_null()) item["tool_calls"] = message.tool_calls;
    out.push_back(std::move(item));
  }
  return out;
}

std::optional<std::string> TokenTextOf(const Tokenizer& tokenizer, TokenId id) {
  if (!tokenizer.IsValid(id)) return std::nullopt;
  return std::string(tokenizer.TokenText(id));
}

}  // namespace

ApiResult<std::vector<TokenId>> ChatPromptTokens(const HandlerContext& context,
                                                 const std::vector<ChatMessage>& messages,
                                                 const json::value& tools, bool add_generation_prompt) {
  const Tokenizer& tokenizer = context.tokenizer();
  ChatTemplateInputs inputs;
  inputs.messages = MessagesJson(messages);
  if (tools.is_array()) inputs.tools = tools.as_array();
  inputs.add_generation_prompt = add_generation_prompt;
  inputs.bos_token = TokenTextOf(tokenizer, tokenizer.bos_id());
  inputs.eos_token = TokenTextOf(tokenizer, tokenizer.eos_id());
  StatusOr<std::string> rendered = context.chat_template.Render(inputs);
  if (!rendered.ok()) return InvalidFieldError("messages", "the chat template failed: " + rendered.status().message());
  StatusOr<std::vector<TokenId>> ids = tokenizer.Encode(*rendered, EncodeOptions{.add_special = false, .parse_special = true});
  if (!ids.ok()) return InvalidFieldError("messages", "the rendered chat cannot be tokenized: " + ids.status().message());
  std::vector<TokenId> tokens = std::move(ids).value();
  if (tokenizer.add_bos() && tokenizer.IsValid(tokenizer.bos_id()) &&
      (tokens.empty() || tokens.front() != tokenizer.bos_id())) {
    tokens.insert(tokens.begin(), tokenizer.bos_id());
  }
  if (tokens.empty()) return InvalidFieldError("messages", "the rendered chat is empty");
  return tokens;
}

}  // namespace fab::server
