#include "server/prompt_checks.h"

#include <variant>

#include "request/context_window.h"

namespace fab::server {

std::optional<ApiError> CheckTokenIdsInVocabulary(const std::vector<Prompt>& prompts,
                                                  int32_t n_vocab) {
  for (size_t prompt_idx = 0; prompt_idx < prompts.size(); ++prompt_idx) {
    const auto* ids = std::get_if<std::vector<TokenId>>(&prompts[prompt_idx]);
    if (ids == nullptr) continue;
    for (size_t token_idx = 0; token_idx < ids->size(); ++token_idx) {
      const TokenId id = (*ids)[token_idx];
      if (id >= 0 && id < n_vocab) continue;
      return InvalidFieldError("prompt", "token id " + std::to_string(id) + " (prompt " +
                                             std::to_string(prompt_idx) + ", position " +
                                             std::to_string(token_idx) +
                                             ") is outside the vocabulary of " +
                                             std::to_string(n_vocab) + " tokens");
    }
  }
  return std::nullopt;
}

ApiResult<int64_t> ResolveMaxTokens(const std::string& param, int64_t n_prompt_tokens,
                                    std::optional<int64_t> max_tokens, int64_t n_context) {
  const int64_t n_new = max_tokens.value_or(1);  // without max_tokens, room for one token at least
  if (!FitsContext(n_prompt_tokens, n_new, n_context)) {
    return ContextLengthExceededError(param, n_prompt_tokens, n_new, n_context);
  }
  return max_tokens ? *max_tokens : RoomForNewTokens(n_prompt_tokens, n_context);
}

}  // namespace fab::server
