// The checks on a parsed request that need the model: token ids inside the
// vocabulary, and prompt + max_tokens inside the context window. Called on
// the HTTP thread after parsing and tokenizing, before anything reaches the
// engine. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/api_result.h"
#include "server/completion_request.h"

namespace fab::server {

// 400 param "prompt" for the first token id ≥ n_vocab, naming its position.
std::optional<ApiError> CheckTokenIdsInVocabulary(const std::vector<Prompt>& prompts,
                                                  int32_t n_vocab);

// The number of tokens to generate: `max_tokens` when prompt + max_tokens
// fit in `n_context`, else 400 context_length_exceeded naming `param`
// ("prompt" or "messages"); absent max_tokens means the rest of the window,
// which must hold at least one token.
ApiResult<int64_t> ResolveMaxTokens(const std::string& param, int64_t n_prompt_tokens,
                                    std::optional<int64_t> max_tokens, int64_t n_context);

}  // namespace fab::server
