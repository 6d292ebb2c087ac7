// The bytes of HTTP/1.x responses as the transport (server/http_server.cc)
// writes them: a whole response with Content-Length, the head of an SSE
// response, and chunked-transfer framing. Pure functions, thread-safe; no
// I/O and no Beast.
#pragma once

#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "server/response_stream.h"

namespace fab::server {

// How a response is framed for one request.
struct ResponseFraming {
  int http_version = 11;  // 10 or 11, as the request's
  bool keep_alive = true; // written as Connection: close (1.1) / keep-alive (1.0)
  bool head_only = false; // a HEAD request: the head (with Content-Length) but no body
};

// "OK", "Not Found", …; "Unknown" for a code without a standard phrase.
const char* ReasonPhrase(int status);

// Status line, Content-Type, the extra headers, Content-Length, and the body
// unless head_only. A status outside 100..999 is written as 500; a header
// whose name or value holds CR, LF or NUL is left out.
std::string SerializeResponse(const ResponseHead& response, const ResponseFraming& framing);

// The head of a streamed 200 text/event-stream response: chunked for
// HTTP/1.1; unframed for HTTP/1.0 (the connection's end ends it).
// `headers` are extra ones (x-ratelimit-*), as for a whole response.
std::string SerializeEventStreamHead(const ResponseFraming& framing,
                                    const std::vector<std::pair<std::string, std::string>>& headers = {});

// `bytes` as one chunk (nothing when empty), followed by the last chunk
// "0\r\n\r\n" when `last`.
std::string FrameChunk(std::string_view bytes, bool last);

}  // namespace fab::server
