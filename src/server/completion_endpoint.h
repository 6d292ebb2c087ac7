// POST /v1/completions: parse, check against the model, tokenize each
// prompt (text with the vocabulary's BOS/EOS and control-token texts parsed;
// token ids as given), size each prompt's budget, and start a GenerationJob.
// max_tokens 0 with echo scores the prompt: the engine is asked for one
// token, which is dropped. Runs on a transport thread; never blocks on
// generation.
#pragma once

#include <chrono>

#include "server/handler_context.h"
#include "server/http_exchange.h"

namespace fab::server {

HandlerResult HandleCompletions(const HandlerContext& context, const Caller& caller, const HttpRequest& request,
                                std::chrono::steady_clock::time_point received);

}  // namespace fab::server
