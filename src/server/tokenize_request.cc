#include "server/tokenize_request.h"

#include "server/completion_request.h"
#include "server/json_fields.h"
#include "server/sampling_fields.h"

namespace fab::server {
namespace json = boost::json;

ApiResult<TokenizeRequest> ParseTokenizeRequest(std::string_view body) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(json::object request, ParseJsonObject(body));
  TokenizeRequest parsed;
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.model, ParseModelField(request));
  const bool has_prompt = FindField(request, "prompt") != nullptr;
  const bool has_messages = FindField(request, "messages") != nullptr;
  if (has_prompt == has_messages) {
    return InvalidFieldError("prompt", "give exactly one of 'prompt' and 'messages'");
  }
  if (has_prompt) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.prompt, ReadOptionalString(FindField(request, "prompt"), "prompt", {}));
  } else {
    FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.messages, ParseChatMessages(request));
  }
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      std::optional<bool> add_special,
      ReadOptionalBool(FindField(request, "add_special_tokens"), "add_special_tokens"));
  parsed.add_special_tokens = add_special.value_or(has_prompt);
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      std::optional<bool> add_generation_prompt,
      ReadOptionalBool(FindField(request, "add_generation_prompt"), "add_generation_prompt"));
  parsed.add_generation_prompt = add_generation_prompt.value_or(true);
  return parsed;
}

ApiResult<DetokenizeRequest> ParseDetokenizeRequest(std::string_view body) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(json::object request, ParseJsonObject(body));
  DetokenizeRequest parsed;
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.model, ParseModelField(request));
  const json::value* tokens = FindField(request, "tokens");
  if (tokens == nullptr) return InvalidFieldError("tokens", "'tokens' is required");
  if (!tokens->is_array()) return WrongTypeError("tokens", "an array of token ids", *tokens);
  if (tokens->as_array().empty()) return parsed;
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.tokens, ParseTokenIdArray(tokens->as_array(), "tokens"));
  return parsed;
}

}  // namespace fab::server
