// An arena answer as the visitor's page reads it: the chat completion stream
// of one side's model (server/generation_job.h's OpenAI chunks) rewritten as
// anonymous events that carry no model name, id or usage:
//   data: {"text": "<content delta>"}            as tokens arrive
//   data: {"finish_reason": "stop" | "length"}   once, when the answer ends well
//   data: {"error": "<message>"}                 once, when it ends otherwise
//   data: [DONE]
// Abandoning the anonymous stream (the visitor left) abandons the chat
// stream, which cancels its engine work. `on_end(ok)` runs once, on the
// producing thread, when the answer ended (ok: it had its finish_reason).
// Thread-safe as ResponseStream is.
#pragma once

#include <functional>
#include <memory>

#include "server/response_stream.h"

namespace fab::arena {

// `chat` is a streamed (kStreamed) chat completion that has not been handed
// to a transport; returns the stream to hand to the transport instead.
std::shared_ptr<server::ResponseStream> AnonymousAnswer(std::shared_ptr<server::ResponseStream> chat,
                                                        std::function<void(bool ok)> on_end);

}  // namespace fab::arena
