#include "server/chat_prompt.h"

#include <string>
#include <utility>

#include "tokenizer/chat_tokens.h"

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

}  // namespace

ApiResult<std::vector<TokenId>> ChatPromptTokens(const HandlerContext& context,
                                                 const std::vector<ChatMessage>& messages,
                                                 const json::value& tools, bool add_generation_prompt) {
  StatusOr<std::vector<TokenId>> tokens =
      ChatTokens(context.tokenizer(), context.chat_template, MessagesJson(messages),
                 tools.is_array() ? tools.as_array() : json::array(), add_generation_prompt);
  if (!tokens.ok()) return InvalidFieldError("messages", tokens.status().message());
  return std::move(tokens).value();
}

}  // namespace fab::server
