// ChatTokens: OpenAI-style chat messages to prompt token ids through a chat
// template, as every front end (the OpenAI server, the public API) renders
// them: the template gets bos_token/eos_token, its text is encoded with
// control tokens parsed, and BOS is put first when the vocabulary asks for it
// and the template did not write it. Pure; thread-safe over const inputs.
#pragma once

#include <vector>

#include <boost/json.hpp>

#include "base/status.h"
#include "base/types.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace fab {

// `messages` as OpenAI's [{role, content, ...}]; `tools` empty for none.
// InvalidArgument when the template fails ("the chat template failed: ..."),
// when its text cannot be tokenized, or when it renders to nothing.
StatusOr<std::vector<TokenId>> ChatTokens(const Tokenizer& tokenizer, const ChatTemplate& chat_template,
                                          boost::json::array messages, boost::json::array tools,
                                          bool add_generation_prompt);

}  // namespace fab
