// POST /v1/chat/completions: parse, render the messages with the served
// chat template (server/chat_prompt.h), size the budget (absent
// max_completion_tokens: the rest of the context) and start a GenerationJob
// in the chat format. Runs on a transport thread; never blocks on
// generation.
#pragma once

#include <chrono>

#include "server/handler_context.h"
#include "server/http_exchange.h"

namespace fab::server {

HandlerResult HandleChatCompletions(const HandlerContext& context, const Caller& caller, const HttpRequest& request,
                                    std::chrono::steady_clock::time_point received);

}  // namespace fab::server
