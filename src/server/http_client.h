// A blocking HTTP/1.1 client over one keep-alive TCP connection, for load
// generators and tests. Get/Post return the whole response; PostStreaming
// hands the data of each server-sent event to a callback as soon as the event
// has arrived, so the caller can time-stamp it. Network failures, timeouts,
// malformed responses and responses over the caps are a Status (the client
// then reconnects on its next call); a non-2xx HTTP status is not an error,
// it is in the reply. Plain http only (see server/http_url.h).
// Thread-safety: one client per thread; calls on one client must not overlap.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace fab::server {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{600'000};  // longest wait for the next bytes
  size_t max_header_bytes = size_t{64} << 10;
  size_t max_body_bytes = size_t{64} << 20;     // a whole (non-event-stream) body
  size_t max_stream_bytes = size_t{1} << 30;    // an event stream, all events together
  size_t max_event_bytes = size_t{1} << 20;     // one server-sent event
};

using HttpHeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;  // the whole body; empty when PostStreaming read an event stream
};

class HttpClient {
 public:
  // Called once per event with its data ("{...}" or "[DONE]"), on the calling thread.
  using OnEvent = std::function<void(std::string_view data)>;

  // Connects lazily, on the first call.
  HttpClient(std::string host, uint16_t port, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  StatusOr<HttpReply> Get(std::string_view target, const HttpHeaderList& headers = {});
  // Sends `json_body` with Content-Type application/json.
  StatusOr<HttpReply> Post(std::string_view target, std::string_view json_body,
                           const HttpHeaderList& headers = {});
  // Like Post, but a 2xx text/event-stream response is read incrementally and
  // its events go to on_event (the reply body stays empty); any other response
  // is returned whole, with no events.
  StatusOr<HttpReply> PostStreaming(std::string_view target, std::string_view json_body, const OnEvent& on_event,
                                    const HttpHeaderList& headers = {});

 private:
  class Connection;
  std::unique_ptr<Connection> connection_;
};

}  // namespace fab::server
