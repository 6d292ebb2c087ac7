// HttpServer: the HTTP/1.1 transport of `tokenfab serve`. It accepts loopback
// or network connections, reads requests within header/body/time caps, hands
// each to a RequestHandler (server/http_exchange.h) and writes what it
// returns: a whole response, or a ResponseStream written as chunked SSE (or
// as one whole response once it completes). Keep-alive and pipelining,
// Expect: 100-continue, HEAD (the handler sees "HEAD"; no body is written),
// 400/413/431/503 at the transport level, disconnect detection (a waiting
// or streaming response is Abandon()ed at once), write timeouts and a
// graceful drain. Boost.Beast/Asio stay inside http_server.cc.
// Thread-safety: Start, Shutdown, WaitForTerminationSignal and the
// destructor may be called from any thread except the server's own io
// threads (so not from the handler); the handler runs on up to n_threads io
// threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/http_exchange.h"
#include "server/request_limits.h"

namespace fab::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  int n_threads = 2;     // io threads; the handler runs on these
  size_t max_header_bytes = kMaxRequestHeaderBytes;  // 431 past this, then close
  // 413 past this, decided from Content-Length before the body is read (and
  // while reading a chunked body); then the connection closes.
  size_t max_body_bytes = kMaxRequestBodyBytes;
  // A request's headers and body must arrive within this (slowloris); an
  // idle keep-alive connection closes after it.
  std::chrono::seconds read_timeout{30};
  // One write stalled longer than this: the stream is Abandon()ed and the
  // connection closed.
  std::chrono::seconds write_timeout{30};
  // Connections accepted beyond this are answered 503 and closed.
  int max_connections = 1024;
  // Optional; called on an io thread after each response (streams: once the
  // last chunk is out or the stream was abandoned) with the status sent and
  // the seconds since the request's headers arrived. For answers the
  // transport gives itself (400 malformed, 413, 431, 503 while draining) the
  // request holds only what was parsed (possibly nothing). Must not block.
  std::function<void(const HttpRequest& request, int status, double seconds)> on_response;
};

class HttpServer {
 public:
  // Binds, listens and starts the io threads. InvalidArgument for a host that
  // does not resolve (or n_threads/max_connections below 1), Unavailable
  // (with the OS reason) when bind/listen fails. `handler` must outlive the
  // server. Installs the SIGINT/SIGTERM handlers WaitForTerminationSignal
  // uses; they are removed on the first such signal (a second one gets the
  // default action) and by Shutdown.
  static StatusOr<std::unique_ptr<HttpServer>> Start(RequestHandler& handler, HttpServerOptions options);

  // Shuts down with an immediate deadline if Shutdown was not called.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the real one when options.port was 0).
  uint16_t port() const;

  // Drain: stop accepting; requests arriving on open connections get 503
  // ("server is shutting down"); in-flight responses and streams may finish
  // until `deadline`; then every remaining ResponseStream is Abandon()ed (its
  // owner cancels the engine work) and given a short grace to flush, and the
  // connections close. Returns when all connections are closed and the io
  // threads have stopped. Idempotent; later calls return at once.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  // Blocks until SIGTERM or SIGINT arrives, or Shutdown begins elsewhere;
  // returns the signal number (0 if none). The handlers are installed by
  // Start, so a signal that arrives after Start is not lost. Once Shutdown
  // has begun (this returns 0), new connections are refused.
  int WaitForTerminationSignal();

  class Impl;  // in http_server.cc

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fab::server
