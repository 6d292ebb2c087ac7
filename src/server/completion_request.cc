#include "server/completion_request.h"

#include "server/json_fields.h"
#include "server/request_limits.h"

namespace fab::server {
namespace json = boost::json;

namespace {

ApiResult<Prompt> ParseTextPrompt(const json::value& value, const std::string& param) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::string text, ReadString(value, param, {.allow_empty = false}));
  return Prompt(std::move(text));
}

// An array prompt: its first element decides the form; the rest must match.
ApiResult<std::vector<Prompt>> ParseArrayPrompt(const json::array& items) {
  if (items.empty()) return InvalidFieldError("prompt", "'prompt' must not be empty");
  if (items[0].is_int64() || items[0].is_uint64()) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(std::vector<TokenId> ids, ParseTokenIdArray(items, "prompt"));
    return std::vector<Prompt>{Prompt(std::move(ids))};
  }
  if (items.size() > kMaxPrompts) {
    return InvalidFieldError("prompt", "'prompt' has more than " + std::to_string(kMaxPrompts) +
                                           " prompts");
  }
  const bool arrays_of_ids = items[0].is_array();
  std::vector<Prompt> prompts;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string param = ElementParam("prompt", i);
    if (arrays_of_ids) {
      if (!items[i].is_array()) return WrongTypeError(param, "an array of token ids", items[i]);
      FAB_ASSIGN_OR_RETURN_API_ERROR(std::vector<TokenId> ids, ParseTokenIdArray(items[i].as_array(), param));
      prompts.emplace_back(std::move(ids));
    } else {
      FAB_ASSIGN_OR_RETURN_API_ERROR(Prompt text, ParseTextPrompt(items[i], param));
      prompts.push_back(std::move(text));
    }
  }
  return prompts;
}

ApiResult<std::vector<Prompt>> ParsePrompts(const json::object& request) {
  const json::value* prompt = FindField(request, "prompt");
  if (prompt == nullptr) return InvalidFieldError("prompt", "'prompt' is required");
  if (prompt->is_string()) {
    FAB_ASSIGN_OR_RETURN_API_ERROR(Prompt text, ParseTextPrompt(*prompt, "prompt"));
    return std::vector<Prompt>{std::move(text)};
  }
  if (!prompt->is_array()) {
    return WrongTypeError("prompt", "a string, an array of strings or an array of token ids", *prompt);
  }
  return ParseArrayPrompt(prompt->as_array());
}

}  // namespace

ApiResult<std::vector<TokenId>> ParseTokenIdArray(const json::array& ids, const std::string& param) {
  if (ids.empty()) return InvalidFieldError(param, "'" + param + "' must not be empty");
  if (ids.size() > kMaxPromptTokenIds) {
    return InvalidFieldError(param, "'" + param + "' has more than " +
                                        std::to_string(kMaxPromptTokenIds) + " token ids");
  }
  std::vector<TokenId> tokens;
  tokens.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string element = ElementParam(param, i);
    if (!ids[i].is_int64() && !ids[i].is_uint64()) return WrongTypeError(element, "a token id", ids[i]);
    FAB_ASSIGN_OR_RETURN_API_ERROR(std::optional<int64_t> id,
                                   ReadOptionalInt(&ids[i], element, 0, kMaxTokenId));
    tokens.push_back(static_cast<TokenId>(*id));
  }
  return tokens;
}

ApiResult<CompletionRequest> ParseCompletionRequest(std::string_view body) {
  FAB_ASSIGN_OR_RETURN_API_ERROR(json::object request, ParseJsonObject(body));
  CompletionRequest parsed;
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.model, ParseModelField(request));
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.prompts, ParsePrompts(request));
  FAB_ASSIGN_OR_RETURN_API_ERROR(parsed.sampling, ParseSamplingFields(request, Endpoint::kCompletions));
  FAB_ASSIGN_OR_RETURN_API_ERROR(std::optional<bool> echo,
                                 ReadOptionalBool(FindField(request, "echo"), "echo"));
  parsed.echo = echo.value_or(false);
  FAB_ASSIGN_OR_RETURN_API_ERROR(
      std::optional<int64_t> logprobs,
      ReadOptionalInt(FindField(request, "logprobs"), "logprobs", 0, kMaxLogprobs));
  if (logprobs) parsed.logprobs = static_cast<int>(*logprobs);

  SamplingFields& sampling = parsed.sampling;
  if (sampling.max_tokens == 0 && !parsed.echo) {
    return InvalidFieldError("max_tokens", "'max_tokens' may be 0 only with echo: true");
  }
  if (!sampling.max_tokens) sampling.max_tokens = kDefaultCompletionMaxTokens;
  if (static_cast<int64_t>(parsed.prompts.size()) * sampling.n > kMaxSequencesPerRequest) {
    return InvalidFieldError("n", "prompts × n exceeds " + std::to_string(kMaxSequencesPerRequest) +
                                      " sequences per request");
  }
  return parsed;
}

}  // namespace fab::server
