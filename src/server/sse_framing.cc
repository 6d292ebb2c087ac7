#include "server/sse_framing.h"

#include "base/check.h"

namespace fab::server {

std::string SseEvent(std::string_view json) {
  FAB_CHECK(json.find('\n') == std::string_view::npos && json.find('\r') == std::string_view::npos)
      << "an SSE payload must be one line";
  std::string event;
  event.reserve(json.size() + 8);
  event.append("data: ").append(json).append("\n\n");
  return event;
}

}  // namespace fab::server
