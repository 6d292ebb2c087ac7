// Server-sent-event framing for OpenAI streams: each chunk is one
// "data: <compact JSON>\n\n" event and the stream ends with "data: [DONE]\n\n".
// Compact JSON has no raw newline, so one event is always one data line.
// Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace fab::server {

inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";
inline constexpr std::string_view kSseContentType = "text/event-stream";

// One event carrying `json` (compact, single line: FAB_CHECKed).
std::string SseEvent(std::string_view json);

}  // namespace fab::server
