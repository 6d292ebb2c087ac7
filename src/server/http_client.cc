// HttpClient over Boost.Beast. Each blocking call runs asynchronous Beast
// operations on the client's own io_context until they finish, so that the
// tcp_stream's expiry gives connect and read timeouts.
#include "server/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <exception>

#include "server/sse_event_reader.h"

namespace fab::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr std::string_view kUserAgent = "tokenfab-http-client";
constexpr std::string_view kEventStreamType = "text/event-stream";
constexpr size_t kReadChunkBytes = 16 << 10;

// Errors that mean a kept-alive connection was closed by the server before it
// read our request: the request may be sent again on a fresh connection.
bool IsStaleConnection(const ErrorCode& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

}  // namespace

class HttpClient::Connection {
 public:
  Connection(std::string host, uint16_t port, HttpClientOptions options)
      : host_(std::move(host)), port_(port), options_(options), stream_(io_) {}

  StatusOr<HttpReply> Exchange(http::verb method, std::string_view target, std::string_view body,
                               const HttpHeaderList& headers, const OnEvent* on_event) {
    try {
      const bool reused = connected_;
      bool stale = false;
      StatusOr<HttpReply> reply = ExchangeOnce(method, target, body, headers, on_event, &stale);
      if (!reply.ok() && reused && stale) {
        Close();
        reply = ExchangeOnce(method, target, body, headers, on_event, &stale);
      }
      if (!reply.ok()) Close();
      return reply;
    } catch (const std::exception& e) {
      Close();
      return InternalError(std::string("HTTP client: ") + e.what());
    }
  }

 private:
  // One request/response; *stale says whether it failed before any response
  // byte arrived in a way that a fresh connection may cure.
  StatusOr<HttpReply> ExchangeOnce(http::verb method, std::string_view target, std::string_view body,
                                   const HttpHeaderList& headers, const OnEvent* on_event, bool* stale) {
    *stale = false;
    if (!connected_) FAB_RETURN_IF_ERROR(Connect());
    http::request<http::string_body> request{method, std::string(target), 11};
    request.set(http::field::host, host_ + ":" + std::to_string(port_));
    request.set(http::field::user_agent, kUserAgent);
    if (method == http::verb::post) request.set(http::field::content_type, "application/json");
    if (on_event != nullptr) request.set(http::field::accept, kEventStreamType);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::string(body);
    request.prepare_payload();

    ErrorCode ec = Run([&](auto done) { http::async_write(stream_, request, done); }, options_.read_timeout);
    if (ec) {
      *stale = IsStaleConnection(ec);
      return NetworkError("send", ec);
    }
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    ec = Run([&](auto done) { http::async_read_header(stream_, buffer_, parser, done); }, options_.read_timeout);
    if (ec) {
      *stale = IsStaleConnection(ec) && !parser.got_some();
      return NetworkError("read the response head", ec);
    }
    HttpReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.content_type = std::string(parser.get()[http::field::content_type]);
    const bool is_event_stream = on_event != nullptr && reply.status / 100 == 2 &&
                                 std::string_view(reply.content_type).starts_with(kEventStreamType);
    parser.body_limit(boost::none);  // ReadBody enforces the caps
    FAB_RETURN_IF_ERROR(ReadBody(parser, is_event_stream ? on_event : nullptr, &reply.body));
    if (!parser.keep_alive()) Close();
    return reply;
  }

  // Reads the rest of the body: into *body, or event by event into on_event.
  Status ReadBody(http::response_parser<http::buffer_body>& parser, const OnEvent* on_event, std::string* body) {
    const size_t max_bytes = on_event != nullptr ? options_.max_stream_bytes : options_.max_body_bytes;
    size_t n_total = 0;
    std::array<char, kReadChunkBytes> chunk;
    SseEventReader events([on_event](std::string_view data) { (*on_event)(data); }, options_.max_event_bytes);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      ErrorCode ec = Run([&](auto done) { http::async_read_some(stream_, buffer_, parser, done); },
                         options_.read_timeout);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return NetworkError("read the response body", ec);
      const size_t n_read = chunk.size() - parser.get().body().size;
      const std::string_view bytes(chunk.data(), n_read);
      n_total += n_read;
      if (n_total > max_bytes) {
        return ResourceExhaustedError("response body over " + std::to_string(max_bytes) + " bytes");
      }
      if (on_event != nullptr) {
        FAB_RETURN_IF_ERROR(events.Feed(bytes));
      } else {
        body->append(bytes);
      }
    }
    return OkStatus();
  }

  Status Connect() {
    Close();
    tcp::resolver resolver(io_);
    ErrorCode ec;
    const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec) return NetworkError("resolve", ec);
    ec = Run([&](auto done) { stream_.async_connect(endpoints, [done](ErrorCode e, auto) { done(e, 0); }); },
             options_.connect_timeout);
    if (ec) return NetworkError("connect", ec);
    stream_.socket().set_option(tcp::no_delay(true), ec);
    connected_ = true;
    return OkStatus();
  }

  void Close() {
    ErrorCode ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    connected_ = false;
  }

  // Starts one asynchronous operation and runs the io_context until it ends
  // or `timeout` passes (then the stream is closed and the error is timeout).
  template <typename Start>
  ErrorCode Run(Start start, std::chrono::milliseconds timeout) {
    ErrorCode result = asio::error::would_block;
    stream_.expires_after(timeout);
    start([&result](ErrorCode ec, size_t) { result = ec; });
    io_.restart();
    io_.run();
    stream_.expires_never();
    return result;
  }

  Status NetworkError(const char* what, const ErrorCode& ec) const {
    const std::string where = "http://" + host_ + ":" + std::to_string(port_);
    if (ec == beast::error::timeout) return UnavailableError(std::string("timed out: ") + what + " (" + where + ")");
    return UnavailableError(std::string(what) + " (" + where + "): " + ec.message());
  }

  std::string host_;
  uint16_t port_;
  HttpClientOptions options_;
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

HttpClient::HttpClient(std::string host, uint16_t port, HttpClientOptions options)
    : connection_(std::make_unique<Connection>(std::move(host), port, options)) {}

HttpClient::~HttpClient() = default;

StatusOr<HttpReply> HttpClient::Get(std::string_view target, const HttpHeaderList& headers) {
  return connection_->Exchange(boost::beast::http::verb::get, target, {}, headers, nullptr);
}

StatusOr<HttpReply> HttpClient::Post(std::string_view target, std::string_view json_body,
                                     const HttpHeaderList& headers) {
  return connection_->Exchange(boost::beast::http::verb::post, target, json_body, headers, nullptr);
}

StatusOr<HttpReply> HttpClient::PostStreaming(std::string_view target, std::string_view json_body,
                                              const OnEvent& on_event, const HttpHeaderList& headers) {
  return connection_->Exchange(boost::beast::http::verb::post, target, json_body, headers, &on_event);
}

}  // namespace fab::server
