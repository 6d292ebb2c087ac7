#include "server/chat_prompt.h"

#include <string>
#include <utility>

#include "tokenizer/chat_tokens.h"

namespace fab::server {
namespace json = boost::json;
namespace {

// An assistant message's tool_calls with each function.arguments JSON text
// parsed into its value, for templates that write it with tojson (OpenAI
// clients send it as text). Text that is not JSON stays text.
json::value ArgumentsAsValues(json::value tool_calls) {
  if (!tool_calls.is_array()) return tool_calls;
  for (json::value& call : tool_calls.as_array()) {
    json::value* function = call.is_object() ? call.as_object().if_contains("function") : nullptr;
    json::value* arguments =
        function != nullptr && function->is_object() ? function->as_object().if_contains("arguments") : nullptr;
    if (arguments == nullptr || !arguments->is_string()) continue;
    boost::system::error_code error;
    json::value parsed = json::parse(arguments->as_string(), error);
    if (!error) *arguments = std::move(parsed);
  }
  return tool_calls;
}

// The messages as the template sees them; `syntax`: the template's tool-call
// family, which says how calls and a call-only message's content are given.
json::array MessagesJson(const std::vector<ChatMessage>& messages, const toolcall::ToolCallSyntax* syntax) {
  const bool arguments_as_text = syntax == nullptr || syntax->template_wants_argument_string;
  json::array out;
  for (const ChatMessage& message : messages) {
    json::object item;
    item["role"] = message.role;
    item["content"] = message.content ? json::value(*message.content) : json::value(nullptr);
    if (!message.content && syntax != nullptr && syntax->null_content_as_text) item["content"] = "";
    if (message.name) item["name"] = *message.name;
    if (message.tool_call_id) item["tool_call_id"] = *message.tool_call_id;
    if (!message.tool_calls.is_null()) {
      item["tool_calls"] = arguments_as_text ? message.tool_calls : ArgumentsAsValues(message.tool_calls);
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

ApiResult<std::vector<TokenId>> ChatPromptTokens(const HandlerContext& context,
                                                 const std::vector<ChatMessage>& messages,
                                                 const json::value& tools, bool add_generation_prompt) {
  StatusOr<std::vector<TokenId>> tokens =
      ChatTokens(context.tokenizer(), context.chat_template,
                 MessagesJson(messages, context.tool_syntax ? &*context.tool_syntax : nullptr),
                 tools.is_array() ? tools.as_array() : json::array(), add_generation_prompt);
  if (!tokens.ok()) return InvalidFieldError("messages", tokens.status().message());
  return std::move(tokens).value();
}

}  // namespace fab::server
