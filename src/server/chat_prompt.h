// The prompt ids of a chat: the messages rendered with the served chat
// template (add_generation_prompt as asked, bos_token/eos_token from the
// vocabulary), then tokenized with control-token texts parsed, so template
// markers like "<|im_start|>" become their special ids. BOS is prepended
// when the vocabulary asks for one and the template did not write it, so a
// template with or without "{{ bos_token }}" gives exactly one BOS.
// Assistant tool_calls carry function.arguments as the JSON value it holds
// for templates that write it with tojson (every known family but
// deepseek3), and as the text the client sent otherwise; a call-only
// assistant message's null content is "" for the families whose templates
// test it as text (tool_call_syntax.h).
// Template errors are 400 param "messages". Thread-safe.
#pragma once

#include <vector>

#include <boost/json.hpp>

#include "base/types.h"
#include "server/api_result.h"
#include "server/chat_request.h"
#include "server/handler_context.h"

namespace fab::server {

// `tools`: the request's raw tools array, or null.
ApiResult<std::vector<TokenId>> ChatPromptTokens(const HandlerContext& context,
                                                 const std::vector<ChatMessage>& messages,
                                                 const boost::json::value& tools, bool add_generation_prompt);

}  // namespace fab::server
