// The seam between the HTTP transport (server/http_server.cc, the only place
// that knows Boost.Beast) and what answers requests (the OpenAI handler):
// plain-data requests and responses, and a RequestHandler that returns either
// a whole response now or a ResponseStream that is filled later (a stream of
// SSE events, or one whole response once generation ends). Nothing here does
// I/O.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "server/errors.h"
#include "server/response_stream.h"

namespace fab::server {

// One request as the transport read it: the body is complete and within
// kMaxRequestBodyBytes, the headers within kMaxRequestHeaderBytes.
struct HttpRequest {
  std::string method;        // "GET", "POST", …
  std::string target;        // path and query, as sent
  std::string content_type;  // the Content-Type header, empty if absent
  std::string authorization; // the Authorization header, empty if absent
  std::string body;
  std::string remote;        // peer address, for logs
};

// What the handler decides when it returns, or what a ResponseStream
// completes with; 0 is never a valid status.
using HttpResponse = ResponseHead;

// A response now, or one that a ResponseStream delivers later.
using HandlerResult = std::variant<HttpResponse, std::shared_ptr<ResponseStream>>;

// Answers requests. Handle runs on a transport thread, possibly on several at
// once, so implementations are thread-safe; it must not block on generation
// (hand that to a ResponseStream). It never throws: every failure is an
// HttpResponse carrying an OpenAI error body.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HandlerResult Handle(const HttpRequest& request) = 0;
};

// An HttpResponse of `status` with an OpenAI error body (server/errors.h).
HttpResponse ErrorResponse(const ApiError& error);

}  // namespace fab::server
