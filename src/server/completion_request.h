// CompletionRequest: the validated body of POST /v1/completions as plain data.
// Parsing makes no engine calls: token ids are checked against [0, 2^31) here
// and against the vocabulary, and prompt + max_tokens against the context,
// once the model is known. Every violation is a 400 naming the field;
// unknown fields are ignored, as OpenAI does. Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json.hpp>

#include "base/types.h"
#include "server/api_result.h"
#include "server/sampling_fields.h"

namespace fab::server {

// OpenAI's default max_tokens for /v1/completions.
inline constexpr int64_t kDefaultCompletionMaxTokens = 16;
// Prompts × n: the sequences one request may start.
inline constexpr int64_t kMaxSequencesPerRequest = 256;

// One prompt: text to tokenize, or token ids as given (non-empty either way).
using Prompt = std::variant<std::string, std::vector<TokenId>>;

struct CompletionRequest {
  std::string model;            // empty: the served model
  std::vector<Prompt> prompts;  // [1, kMaxPrompts]; one choice set per prompt
  SamplingFields sampling;      // max_tokens defaults to kDefaultCompletionMaxTokens
  bool echo = false;            // prepend the prompt to the output
  std::optional<int> logprobs;  // [0, kMaxLogprobs] alternatives per token; absent = none
};

// `prompt` is a string, an array of strings, an array of token ids or an
// array of arrays of token ids. max_tokens may be 0 only with echo (scoring).
ApiResult<CompletionRequest> ParseCompletionRequest(std::string_view body);

// A non-empty JSON array of token ids in [0, kMaxTokenId], at most
// kMaxPromptTokenIds; errors name `param` or `param[i]`.
ApiResult<std::vector<TokenId>> ParseTokenIdArray(const boost::json::array& ids,
                                                  const std::string& param);

}  // namespace fab::server
