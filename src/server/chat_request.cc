#include "server/chat_request.h"

#include <array>

#include "server/json_fields.h"
#include "server/request_limits.h"

namespace fab::server {
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 5> kRoles = {"system", "developer", "user", "assistant",
                                                    "tool"};

ApiResult<std::string> ParseRole(const json::object& message, const std::string& param) {
  const json::value* role = FindField(message, "role");
  if (role == nullptr) return InvalidFieldError(param, "'" + param + "' is required");
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::string name,
                                 ReadString(*role, param, {.max_bytes = kMaxRoleBytes}));
  for (std::string_view known : kRoles) {
    if (name == known) return name;
  }
  return InvalidFieldError(param, "'" + param +
                                      "' must be one of system, developer, user, assistant, tool");
}

// An array of text parts, joined with "\n".
ApiResult<std::string> ParseContentParts(const json::array& parts, const std::string& param) {
  if (parts.empty()) return InvalidFieldError(param, "'" + param + "' must not be empty");
  if (parts.size() > kMaxContentParts) {
    return InvalidFieldError(param, "'" + param + "' has more than " +
                                        std::to_string(kMaxContentParts) + " parts");
  }
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string part_param = ElementParam(param, i);
    if (!parts[i].is_object()) return WrongTypeError(part_param, "an object", parts[i]);
    const json::object& part = parts[i].as_object();
    const json::value* type = FindField(part, "type");
    if (type == nullptr) return InvalidFieldError(part_param + ".type", "'" + part_param + ".type' is required");
    FAB_ASSIGN_OR_RETURN_API_ERROR(std::string type_name, ReadString(*type, part_param + ".type", {}));
    if (type_name != "text") {
      return InvalidFieldError(part_param + ".type", "content part type '" + type_name +
                                                         "' is not supported; this server takes text only");
    }
    const json::value* part_text = FindField(part, "text");
    if (part_text == nullptr) return InvalidFieldError(part_param + ".text", "'" + part_param + ".text' is required");
    FAB_ASSIGN_OR_RETURN_API_ERROR(std::string piece, ReadString(*part_text, part_param + ".text", {}));
    if (i > 0) text += '\n';
    text += piece;
  }
  return text;
}

ApiResult<std::optional<std::string>> ParseContent(const json::object& message,
                                                   const std::string& role,
                                                   const std::string& param) {
  const json::value* content = FindField(message, "content");
  if (content == nullptr) {
    if (role == "assistant") return std::optional<std::string>();
    return InvalidFieldError(param, "'" + param + "' is required for role " + role);
  }
  if (content->is_string()) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(std::string text, ReadString(*content, param, {}));
    return std::optional<std::string>(std::move(text));
  }
  if (!content->is_array()) return WrongTypeError(param, "a string or an array of parts", *content);
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::string text, ParseContentParts(content->as_array(), param));
  return std::optional<std::string>(std::move(text));
}

ApiResult<ChatMessage> ParseMessage(const json::value& value, const std::string& param) {
  if (!value.is_object()) return WrongTypeError(param, "an object", value);
  const json::object& message = value.as_object();
  ChatMessage parsed;
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.role, ParseRole(message, param + ".role"));
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.content, ParseContent(message, parsed.role, param + ".content"));
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      parsed.name, ReadOptionalString(FindField(message, "name"), param + ".name", {.max_bytes = kMaxUserBytes}));
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      parsed.tool_call_id,
      ReadOptionalString(FindField(message, "tool_call_id"), param + ".tool_call_id", {.max_bytes = kMaxUserBytes}));
  if (const json::value* tool_calls = FindField(message, "tool_calls")) {
    if (!tool_calls->is_array()) return WrongTypeError(param + ".tool_calls", "an array", *tool_calls);
    parsed.tool_calls = *tool_calls;
  }
  return parsed;
}


// tools: an array of objects, each with function.name a non-empty string.
std::optional<ApiError> CheckTools(const json::value* tools) {
  if (tools == nullptr) return std::nullopt;
  if (!tools->is_array()) return WrongTypeError("tools", "an array", *tools);
  for (size_t i = 0; i < tools->as_array().size(); ++i) {
    const std::string param = ElementParam("tools", i);
    const json::value& tool = tools->as_array()[i];
    if (!tool.is_object()) return WrongTypeError(param, "an object", tool);
    const json::value* function = FindField(tool.as_object(), "function");
    if (function == nullptr) return InvalidFieldError(param + ".function", "'" + param + ".function' is required");
    if (!function->is_object()) return WrongTypeError(param + ".function", "an object", *function);
    const json::value* name = FindField(function->as_object(), "name");
    const std::string name_param = param + ".function.name";
    if (name == nullptr) return InvalidFieldError(name_param, "'" + name_param + "' is required");
    auto checked = ReadString(*name, name_param, {.max_bytes = kMaxUserBytes, .allow_empty = false});
    if (!checked.ok()) return checked.error();
  }
  return std::nullopt;
}

std::optional<ApiError> ParseLogprobs(const json::object& request, ChatRequest& parsed) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::optional<bool> logprobs,
                                 ReadOptionalBool(FindField(request, "logprobs"), "logprobs"));
  parsed.logprobs = logprobs.value_or(false);
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      std::optional<int64_t> top_logprobs,
      ReadOptionalInt(FindField(request, "top_logprobs"), "top_logprobs", 0, kMaxLogprobs));
  if (top_logprobs && !parsed.logprobs) {
    return InvalidFieldError("top_logprobs", "'top_logprobs' requires logprobs: true");
  }
  if (top_logprobs) parsed.top_logprobs = static_cast<int>(*top_logprobs);
  return std::nullopt;
}

}  // namespace

ApiResult<std::vector<ChatMessage>> ParseChatMessages(const json::object& request) {
  const json::value* messages = FindField(request, "messages");
  if (messages == nullptr) return InvalidFieldError("messages", "'messages' is required");
  if (!messages->is_array()) return WrongTypeError("messages", "an array", *messages);
  const json::array& items = messages->as_array();
  if (items.empty()) return InvalidFieldError("messages", "'messages' must not be empty");
  if (items.size() > kMaxMessages) {
    return InvalidFieldError("messages", "'messages' has more than " +
                                             std::to_string(kMaxMessages) + " messages");
  }
  std::vector<ChatMessage> parsed;
  parsed.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(ChatMessage message, ParseMessage(items[i], ElementParam("messages", i)));
    parsed.push_back(std::move(message));
  }
  return parsed;
}

ApiResult<ChatRequest> ParseChatRequest(std::string_view body) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(json::object request, ParseJsonObject(body));
  ChatRequest parsed;
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.model, ParseModelField(request));
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.messages, ParseChatMessages(request));
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.sampling, ParseSamplingFields(request, Endpoint::kChat));
  FAB_RETURN_IF_API_ERROR(ParseLogprobs(request, parsed));
  const json::value* tools = FindField(request, "tools");
  FAB_RETURN_IF_API_ERROR(CheckTools(tools));
  if (tools != nullptr) parsed.tools = *tools;
  if (const json::value* tool_choice = FindField(request, "tool_choice")) {
    if (!tool_choice->is_string() && !tool_choice->is_object()) {
      return WrongTypeError("tool_choice", "a string or an object", *tool_choice);
    }
    parsed.tool_choice = *tool_choice;
  }
  return parsed;
}

}  // namespace fab::server
