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


// OpenAI's rule for function names: letters, digits, '_' and '-', 1 to 64.
bool IsToolName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// tools: an array of objects, each with function.name a valid name and
// function.parameters, when present, an object.
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
    if (!IsToolName(checked.value())) {
      return InvalidFieldError(name_param, "'" + name_param +
                                               "' must be 1 to 64 letters, digits, underscores or dashes");
    }
    const json::value* parameters = FindField(function->as_object(), "parameters");
    if (parameters != nullptr && !parameters->is_object()) {
      return WrongTypeError(param + ".function.parameters", "a JSON Schema object", *parameters);
    }
  }
  return std::nullopt;
}

// tool_choice: "none" | "auto" | "required" | {"type": "function", "function": {"name"}}
// naming one of `tools`; "required" and a function need tools.
ApiResult<ToolChoice> ParseToolChoice(const json::value* value, const json::value& tools) {
  ToolChoice choice;
  if (value == nullptr || value->is_null()) return choice;
  const std::string field = "tool_choice";
  if (value->is_string()) {
    const json::string& text = value->as_string();
    if (text == "none") {
      choice.kind = ToolChoice::Kind::kNone;
      return choice;
    }
    if (text == "auto") {
      choice.kind = ToolChoice::Kind::kAuto;
    } else if (text == "required") {
      choice.kind = ToolChoice::Kind::kRequired;
    } else {
      return InvalidFieldError(field, "'tool_choice' must be \"none\", \"auto\", \"required\" or a function");
    }
  } else if (value->is_object()) {
    const json::value* function = FindField(value->as_object(), "function");
    const json::value* name = function != nullptr && function->is_object() ? FindField(function->as_object(), "name")
                                                                            : nullptr;
    if (name == nullptr || !name->is_string()) {
      return InvalidFieldError(field, "'tool_choice' must be {\"type\": \"function\", \"function\": {\"name\": …}}");
    }
    choice.kind = ToolChoice::Kind::kNamed;
    choice.name = std::string(name->as_string());
  } else {
    return WrongTypeError(field, "a string or an object", *value);
  }
  if (choice.kind != ToolChoice::Kind::kAuto && (!tools.is_array() || tools.as_array().empty())) {
    return InvalidFieldError(field, "'tool_choice' \"required\" or a function needs 'tools'");
  }
  if (choice.kind == ToolChoice::Kind::kNamed) {
    bool found = false;
    for (const json::value& tool : tools.as_array()) {
      found = found || json::value_to<std::string>(tool.at("function").at("name")) == choice.name;
    }
    if (!found) return InvalidFieldError(field, "'tool_choice' names '" + choice.name + "', which is not in 'tools'");
  }
  return choice;
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
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.tool_choice, ParseToolChoice(FindField(request, "tool_choice"), parsed.tools));
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::optional<bool> parallel,
                                 ReadOptionalBool(FindField(request, "parallel_tool_calls"), "parallel_tool_calls"));
  parsed.parallel_tool_calls = parallel.value_or(true);
  return parsed;
}

}  // namespace fab::server
