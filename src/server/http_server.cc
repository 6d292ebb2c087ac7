// HttpServer on Boost.Beast/Asio with C++20 coroutines. Layout:
//  - one io_context run by n_threads threads; the acceptor and every
//    connection live on their own strand, so a connection's state is touched
//    by one thread at a time;
//  - per connection two coroutines: Serve (read a request, answer it, repeat)
//    and Watch (a watchdog timer that closes the socket when the current
//    read or write passes its deadline);
//  - a ResponseStream wakes Serve through `wake_timer_`, a timer used as an
//    asynchronous condition variable (the waker posts Wake() to the strand);
//  - while a response is pending, a peeking receive on the socket detects a
//    client that went away, and the stream is Abandon()ed at once.
// Beast is used only to parse requests; responses are serialized by
// server/http_wire.h.
#include "server/http_server.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <exception>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/errors.h"
#include "server/http_wire.h"

namespace fab::server {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After the drain deadline, how long abandoned responses may take to flush.
constexpr auto kDrainGrace = std::chrono::seconds(2);
// A connection closed after an error answer first reads and drops what the
// client is still sending (so the answer is not lost to a TCP reset), for at
// most this long and this many bytes.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1 << 20;

// Errors that reading a request can end with, mapped to an answer or to a
// silent close (the client went away or was too slow).
std::optional<ApiError> ReadErrorAnswer(const ErrorCode& ec, const HttpServerOptions& options) {
  if (ec.category() != http::make_error_code(http::error::end_of_stream).category()) return std::nullopt;
  switch (static_cast<http::error>(ec.value())) {
    case http::error::end_of_stream:
    case http::error::partial_message:
      return std::nullopt;
    case http::error::header_limit:
    case http::error::buffer_overflow:
      return HeadersTooLargeError(options.max_header_bytes);
    case http::error::body_limit:
      return BodyTooLargeError(options.max_body_bytes);
    default:
      return ErrorFromStatus(InvalidArgumentError("malformed HTTP request: " + ec.message()));
  }
}

ApiError ShuttingDownError() { return ErrorFromStatus(UnavailableError("server is shutting down")); }

void LogException(const char* where, std::exception_ptr error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::cerr << "http server: " << where << ": " << e.what() << "\n";
  } catch (...) {
    std::cerr << "http server: " << where << ": unknown exception\n";
  }
}

class Connection;

}  // namespace

// Everything the server shares across threads. Members that connections use
// from their strands are const after Start, atomic, or guarded by mutex_.
class HttpServer::Impl {
 public:
  Impl(RequestHandler& handler, HttpServerOptions options);
  ~Impl();

  Status Listen();
  void StartThreads();
  void Shutdown(Clock::time_point deadline);
  int WaitForTerminationSignal();

  RequestHandler& handler() { return handler_; }
  const HttpServerOptions& options() const { return options_; }
  bool draining() const { return draining_.load(); }
  uint16_t port() const { return port_; }

  // Connection bookkeeping, from any thread. Register is false at the cap.
  bool Register(Connection* connection, std::weak_ptr<Connection> weak);
  void Unregister(Connection* connection);  // from ~Connection
  void AdjustBusy(int delta);               // connections reading or answering a request

 private:
  asio::awaitable<void> AcceptLoop();
  void OnSignal(const ErrorCode& ec, int signal_number);
  // Runs `action` on the strand of every open connection.
  void ForEachConnection(void (Connection::*action)());
  // Waits until `done()` (checked under mutex_) or `until`; returns done().
  template <typename Predicate>
  bool WaitUntil(Clock::time_point until, Predicate done);
  bool BeginShutdown();  // false if another call already began (it waited for the end)
  void Drain(Clock::time_point deadline);

  RequestHandler& handler_;
  const HttpServerOptions options_;
  std::atomic<bool> draining_{false};
  uint16_t port_ = 0;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;  // guarded by mutex_
  int n_busy_ = 0;                // guarded by mutex_
  int signal_number_ = 0;         // guarded by mutex_
  bool shutdown_started_ = false; // guarded by mutex_
  bool shutdown_done_ = false;    // guarded by mutex_

  // Declared after what connections touch in their destructors: the
  // io_context destroys leftover handlers (and connections) first.
  asio::io_context io_context_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;        // on its own strand
  asio::signal_set signals_;      // on the acceptor's strand
  std::vector<std::thread> threads_;
};

namespace {

// Marker for a response the connection continues after (keep-alive) or not.
enum class After { kKeepAlive, kClose };

// One accepted socket: reads requests one after another and answers them.
// All members are used on the connection's strand only, except through the
// posted entry points (OnDrainStart, OnDrainDeadline, Close) and the waker.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl& server, tcp::socket socket);
  ~Connection();

  void Start();
  // Over the connection cap: one 503 written without waiting (a fresh
  // socket's send buffer takes it), then the socket closes.
  void Reject();
  asio::any_io_executor executor() { return socket_.get_executor(); }
  // Posted by Shutdown: the drain begins (idle connections close), the drain
  // deadline passed (responses are cut short), or everything must close now.
  void OnDrainStart();
  void OnDrainDeadline();
  void Close();

 private:
  // kReading and kResponding count as busy for the drain; kLingering (after
  // an error answer, before closing) does not.
  enum class State { kIdle, kReading, kResponding, kLingering, kClosed };
  // What Serve knows of the request being answered.
  struct Exchange {
    HttpRequest request;
    int version = 11;
    bool keep_alive = false;
    bool head_only = false;
    Clock::time_point arrival;
  };

  asio::awaitable<void> Serve(std::shared_ptr<Connection> self);
  asio::awaitable<void> Watch(std::shared_ptr<Connection> self);
  asio::awaitable<bool> AwaitNextRequest();
  asio::awaitable<After> ServeOneRequest();
  asio::awaitable<std::optional<After>> ReadRequest(Exchange& exchange);
  asio::awaitable<After> AnswerReadError(const ErrorCode& ec, Exchange& exchange);
  asio::awaitable<After> AnswerAndClose(const ApiError& error, Exchange& exchange);
  asio::awaitable<After> AnswerResult(HandlerResult result, Exchange& exchange);
  asio::awaitable<After> WriteWhole(const ResponseHead& response, Exchange& exchange);
  asio::awaitable<After> StreamEvents(ResponseStream& stream, Exchange& exchange);
  asio::awaitable<After> AwaitWhole(ResponseStream& stream, Exchange& exchange);
  asio::awaitable<bool> Write(std::string bytes);
  asio::awaitable<void> LingerAndClose();

  HandlerResult CallHandler(const HttpRequest& request);
  void SetState(State state);
  void ReportResponse(const Exchange& exchange, int status);
  void SetDeadline(Clock::time_point deadline);
  void Wake();
  asio::awaitable<void> WaitForWake();
  void StartProbe();
  void StopProbe();
  void AttachStream(const std::shared_ptr<ResponseStream>& stream);
  void DetachStream();

  HttpServer::Impl& server_;
  const HttpServerOptions& options_;
  tcp::socket socket_;
  std::string remote_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  State state_ = State::kIdle;
  bool open_ = true;
  bool gone_ = false;             // the client went away or the socket closed
  bool deadline_passed_ = false;  // the drain deadline passed
  Clock::time_point io_deadline_ = Clock::time_point::max();
  Clock::time_point hard_deadline_ = Clock::time_point::max();  // caps io_deadline_ after the drain deadline
  asio::steady_timer watchdog_;
  asio::steady_timer wake_timer_;
  bool wake_pending_ = false;
  bool probe_pending_ = false;
  uint64_t probe_generation_ = 0;
  char probe_byte_ = 0;
  std::shared_ptr<ResponseStream> stream_;  // the stream being answered, if any
};

}  // namespace

Connection::Connection(HttpServer::Impl& server, tcp::socket socket)
    : server_(server),
      options_(server.options()),
      socket_(std::move(socket)),
      watchdog_(socket_.get_executor()),
      wake_timer_(socket_.get_executor()) {
  ErrorCode ec;
  tcp::endpoint peer = socket_.remote_endpoint(ec);
  if (!ec) {
    std::string address = peer.address().to_string();
    remote_ = (peer.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(peer.port());
  }
  socket_.set_option(tcp::no_delay(true), ec);
}

Connection::~Connection() {
  SetState(State::kClosed);
  if (stream_) stream_->Abandon();
  server_.Unregister(this);
}

void Connection::Start() {
  auto self = shared_from_this();
  // Either coroutine ending (by an exception too, e.g. bad_alloc) closes the
  // socket, which ends the other one.
  auto on_end = [self](std::exception_ptr error) {
    LogException("connection", error);
    self->Close();
  };
  asio::co_spawn(executor(), Serve(self), on_end);
  asio::co_spawn(executor(), Watch(self), on_end);
}

asio::awaitable<void> Connection::Serve(std::shared_ptr<Connection> self) {
  // (No co_await inside conditions here and below: g++ 12 miscompiles some.)
  while (open_) {
    bool next = co_await AwaitNextRequest();
    if (!next) break;
    After after = co_await ServeOneRequest();
    if (after == After::kClose) break;
  }
  Close();
}

asio::awaitable<void> Connection::Watch(std::shared_ptr<Connection> self) {
  while (open_) {
    watchdog_.expires_at(io_deadline_);
    co_await watchdog_.async_wait(kUseTuple);
    if (open_ && Clock::now() >= io_deadline_) Close();
  }
}

// Waits, idle, for the first byte of the next request (without consuming
// it); false if the connection should close instead. While draining, an
// idle connection stays open (a request on it is answered 503) until no
// connection is busy; then OnDrainStart closes it.
asio::awaitable<bool> Connection::AwaitNextRequest() {
  SetState(State::kIdle);
  if (deadline_passed_) co_return false;
  if (buffer_.size() > 0) co_return true;  // a pipelined request is already here
  SetDeadline(Clock::now() + options_.read_timeout);
  auto [ec, n] = co_await socket_.async_receive(asio::buffer(&probe_byte_, 1), tcp::socket::message_peek, kUseTuple);
  co_return !ec && n > 0 && open_;
}

asio::awaitable<After> Connection::ServeOneRequest() {
  Exchange exchange;
  std::optional<After> stop = co_await ReadRequest(exchange);
  if (stop) co_return *stop;
  SetState(State::kResponding);
  SetDeadline(Clock::time_point::max());
  HandlerResult result = CallHandler(exchange.request);
  co_return co_await AnswerResult(std::move(result), exchange);
}

// Reads one request (headers, then the body within the caps) into
// `exchange`. nullopt when it was read; otherwise it was answered with an
// error (or the client went away) and the connection continues as returned.
asio::awaitable<std::optional<After>> Connection::ReadRequest(Exchange& exchange) {
  SetState(State::kReading);
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(options_.max_header_bytes, UINT32_MAX)));
  parser_->body_limit(static_cast<uint64_t>(options_.max_body_bytes));
  const Clock::time_point read_deadline = Clock::now() + options_.read_timeout;
  SetDeadline(read_deadline);
  auto [header_ec, header_n] = co_await http::async_read_header(socket_, buffer_, *parser_, kUseTuple);
  exchange.arrival = Clock::now();
  if (header_ec) co_return co_await AnswerReadError(header_ec, exchange);
  const auto& header = parser_->get();
  exchange.version = header.version() == 10 ? 10 : 11;
  exchange.request.method = std::string(header.method_string());
  exchange.request.target = std::string(header.target());
  exchange.request.content_type = std::string(header[http::field::content_type]);
  exchange.request.authorization = std::string(header[http::field::authorization]);
  exchange.request.remote = remote_;
  exchange.keep_alive = header.keep_alive();
  exchange.head_only = header.method() == http::verb::head;
  if (server_.draining()) {
    ApiError refusal = ShuttingDownError();
    co_return co_await AnswerAndClose(refusal, exchange);
  }
  if (parser_->content_length() && *parser_->content_length() > options_.max_body_bytes) {
    ApiError too_large = BodyTooLargeError(options_.max_body_bytes);
    co_return co_await AnswerAndClose(too_large, exchange);
  }
  if (!parser_->is_done()) {
    if (exchange.version == 11 && boost::beast::iequals(header[http::field::expect], "100-continue")) {
      bool written = co_await Write("HTTP/1.1 100 Continue\r\n\r\n");
      if (!written) co_return After::kClose;
      SetDeadline(read_deadline);  // the read deadline covers headers and body
    }
    auto [body_ec, body_n] = co_await http::async_read(socket_, buffer_, *parser_, kUseTuple);
    if (body_ec) co_return co_await AnswerReadError(body_ec, exchange);
  }
  exchange.request.body = std::move(parser_->get().body());
  parser_.reset();
  co_return std::nullopt;
}

asio::awaitable<After> Connection::AnswerReadError(const ErrorCode& ec, Exchange& exchange) {
  std::optional<ApiError> answer = open_ ? ReadErrorAnswer(ec, options_) : std::nullopt;
  if (!answer) co_return After::kClose;
  co_return co_await AnswerAndClose(*answer, exchange);
}

asio::awaitable<After> Connection::AnswerAndClose(const ApiError& error, Exchange& exchange) {
  SetState(State::kResponding);
  exchange.keep_alive = false;
  ResponseHead response = ErrorResponse(error);
  co_await WriteWhole(response, exchange);
  co_await LingerAndClose();
  co_return After::kClose;
}

HandlerResult Connection::CallHandler(const HttpRequest& request) {
  try {
    return server_.handler().Handle(request);
  } catch (...) {
    LogException("request handler", std::current_exception());
    return ErrorResponse(ErrorFromStatus(InternalError("the request handler failed")));
  }
}

asio::awaitable<After> Connection::AnswerResult(HandlerResult result, Exchange& exchange) {
  if (auto* response = std::get_if<HttpResponse>(&result)) co_return co_await WriteWhole(*response, exchange);
  std::shared_ptr<ResponseStream> stream = std::get<std::shared_ptr<ResponseStream>>(std::move(result));
  if (!stream) {
    HttpResponse failure = ErrorResponse(ErrorFromStatus(InternalError("the request handler returned no stream")));
    co_return co_await WriteWhole(failure, exchange);
  }
  AttachStream(stream);
  After after = After::kClose;
  if (stream->kind() == ResponseStream::Kind::kStreamed) {
    after = co_await StreamEvents(*stream, exchange);
  } else {
    after = co_await AwaitWhole(*stream, exchange);
  }
  DetachStream();
  co_return after;
}

asio::awaitable<After> Connection::WriteWhole(const ResponseHead& response, Exchange& exchange) {
  bool keep_alive = exchange.keep_alive && !server_.draining() && !deadline_passed_;
  ResponseFraming framing{.http_version = exchange.version, .keep_alive = keep_alive, .head_only = exchange.head_only};
  bool written = co_await Write(SerializeResponse(response, framing));
  ReportResponse(exchange, response.status);
  co_return written && keep_alive ? After::kKeepAlive : After::kClose;
}

// Writes the SSE head at once, then every appended byte string as one chunk
// until the stream finishes, the client goes away, a write fails or times
// out, or the drain deadline passes (then the stream ends with the last
// chunk).
asio::awaitable<After> Connection::StreamEvents(ResponseStream& stream, Exchange& exchange) {
  bool chunked = exchange.version != 10;
  bool keep_alive = exchange.keep_alive && chunked && !server_.draining();
  ResponseFraming framing{.http_version = exchange.version, .keep_alive = keep_alive};
  bool written = co_await Write(SerializeEventStreamHead(framing, stream.head_headers()));
  if (!written || exchange.head_only) {
    stream.Abandon();
    ReportResponse(exchange, 200);
    co_return written && keep_alive ? After::kKeepAlive : After::kClose;
  }
  for (;;) {
    wake_pending_ = false;
    ResponseStream::Taken taken = stream.Take();
    bool cut_short = (deadline_passed_ || gone_) && !taken.finished;
    if (cut_short) stream.Abandon();
    if (gone_) break;
    bool last = taken.finished || cut_short;
    std::string out = chunked ? FrameChunk(taken.bytes, last) : std::move(taken.bytes);
    if (!out.empty()) {
      bool written_out = co_await Write(std::move(out));
      if (!written_out) {
        stream.Abandon();
        break;
      }
    }
    if (last) {
      ReportResponse(exchange, 200);
      co_return taken.finished && keep_alive && !server_.draining() ? After::kKeepAlive : After::kClose;
    }
    co_await WaitForWake();
  }
  ReportResponse(exchange, 200);
  co_return After::kClose;
}

// Waits for a kWhole stream's response; a client that goes away abandons it,
// the drain deadline answers 503.
asio::awaitable<After> Connection::AwaitWhole(ResponseStream& stream, Exchange& exchange) {
  for (;;) {
    wake_pending_ = false;
    ResponseStream::Taken taken = stream.Take();
    if (taken.whole) co_return co_await WriteWhole(*taken.whole, exchange);
    if (gone_) {
      stream.Abandon();
      co_return After::kClose;
    }
    if (deadline_passed_) {
      stream.Abandon();
      HttpResponse refusal = ErrorResponse(ShuttingDownError());
      co_return co_await WriteWhole(refusal, exchange);
    }
    co_await WaitForWake();
  }
}

asio::awaitable<bool> Connection::Write(std::string bytes) {
  if (!open_) co_return false;
  SetDeadline(Clock::now() + options_.write_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), kUseTuple);
  SetDeadline(Clock::time_point::max());
  co_return !ec && open_;
}

// After an error answer: stop sending, drop what the client still sends for
// a short while (so it reads the answer instead of a reset), then close.
asio::awaitable<void> Connection::LingerAndClose() {
  if (!open_) co_return;
  SetState(State::kLingering);
  ErrorCode ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  SetDeadline(Clock::now() + std::min<Clock::duration>(kLingerTime, options_.read_timeout));
  char sink[4096];
  size_t n_dropped = 0;
  while (open_ && n_dropped < kLingerBytes) {
    auto [read_ec, n] = co_await socket_.async_read_some(asio::buffer(sink), kUseTuple);
    if (read_ec) break;
    n_dropped += n;
  }
  Close();
}

void Connection::ReportResponse(const Exchange& exchange, int status) {
  if (!options_.on_response) return;
  double seconds = std::chrono::duration<double>(Clock::now() - exchange.arrival).count();
  try {
    options_.on_response(exchange.request, status, seconds);
  } catch (...) {
    LogException("on_response", std::current_exception());
  }
}

void Connection::SetState(State state) {
  if (state_ == State::kClosed) return;
  auto busy = [](State s) { return s == State::kReading || s == State::kResponding; };
  if (busy(state) != busy(state_)) server_.AdjustBusy(busy(state) ? +1 : -1);
  state_ = state;
}

void Connection::SetDeadline(Clock::time_point deadline) {
  io_deadline_ = std::min(deadline, hard_deadline_);
  if (io_deadline_ < watchdog_.expiry()) watchdog_.cancel();
}

void Connection::Wake() {
  wake_pending_ = true;
  wake_timer_.cancel();
}

// Returns after the next Wake() (at once if one came since wake_pending_
// was last cleared).
asio::awaitable<void> Connection::WaitForWake() {
  if (wake_pending_ || !open_) co_return;
  wake_timer_.expires_at(Clock::time_point::max());
  co_await wake_timer_.async_wait(kUseTuple);
}

// Keeps a peeking receive pending while a response is produced: EOF or an
// error means the client is gone (the stream is abandoned at once); bytes
// mean a pipelined request, which stops the probe and is read later.
void Connection::StartProbe() {
  probe_pending_ = true;
  uint64_t generation = ++probe_generation_;
  socket_.async_receive(asio::buffer(&probe_byte_, 1), tcp::socket::message_peek,
                        [self = shared_from_this(), generation](const ErrorCode& ec, size_t n) {
                          if (generation != self->probe_generation_) return;
                          self->probe_pending_ = false;
                          if (!ec && n > 0) return;
                          self->gone_ = true;
                          if (self->stream_) self->stream_->Abandon();
                          self->Wake();
                        });
}

void Connection::StopProbe() {
  ++probe_generation_;
  if (!probe_pending_) return;
  probe_pending_ = false;
  ErrorCode ec;
  socket_.cancel(ec);  // only the probe is pending here
}

void Connection::AttachStream(const std::shared_ptr<ResponseStream>& stream) {
  stream_ = stream;
  std::weak_ptr<Connection> weak = weak_from_this();
  stream->SetWaker([weak] {
    std::shared_ptr<Connection> self = weak.lock();
    if (!self) return;
    asio::post(self->socket_.get_executor(), [weak] {
      if (std::shared_ptr<Connection> alive = weak.lock()) alive->Wake();
    });
  });
  StartProbe();
}

void Connection::DetachStream() {
  StopProbe();
  stream_->SetWaker(nullptr);
  stream_.reset();
}

void Connection::Reject() {
  HttpResponse refusal = ErrorResponse(ErrorFromStatus(UnavailableError("too many open connections")));
  std::string bytes = SerializeResponse(refusal, ResponseFraming{.http_version = 11, .keep_alive = false});
  ErrorCode ec;
  socket_.non_blocking(true, ec);
  if (!ec) socket_.send(asio::buffer(bytes), 0, ec);
  Close();
}

void Connection::OnDrainStart() {
  if (state_ == State::kIdle || state_ == State::kLingering) Close();
}

void Connection::OnDrainDeadline() {
  deadline_passed_ = true;
  hard_deadline_ = Clock::now() + kDrainGrace;
  if (state_ != State::kResponding) return Close();
  SetDeadline(io_deadline_);  // now capped by hard_deadline_
  Wake();
}

void Connection::Close() {
  if (!open_) return;
  SetState(State::kClosed);
  open_ = false;
  gone_ = true;
  ErrorCode ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  watchdog_.cancel();
  Wake();
  if (stream_) stream_->Abandon();
}

HttpServer::Impl::Impl(RequestHandler& handler, HttpServerOptions options)
    : handler_(handler),
      options_(std::move(options)),
      io_context_(std::max(1, options_.n_threads)),
      work_(io_context_.get_executor()),
      acceptor_(asio::make_strand(io_context_)),
      signals_(acceptor_.get_executor(), SIGINT, SIGTERM) {}

HttpServer::Impl::~Impl() { Shutdown(Clock::now()); }

Status HttpServer::Impl::Listen() {
  ErrorCode ec;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    tcp::resolver resolver(io_context_);
    auto results = resolver.resolve(options_.host, "", ec);
    if (ec || results.empty()) {
      return InvalidArgumentError("cannot resolve host '" + options_.host + "': " + ec.message());
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, options_.port);
  std::string where = options_.host + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return UnavailableError("cannot read the bound port of " + where + ": " + ec.message());
  return OkStatus();
}

void HttpServer::Impl::StartThreads() {
  signals_.async_wait([this](const ErrorCode& ec, int signal_number) { OnSignal(ec, signal_number); });
  asio::co_spawn(acceptor_.get_executor(), AcceptLoop(),
                 [](std::exception_ptr error) { LogException("accept loop", error); });
  int n_threads = std::max(1, options_.n_threads);
  for (int i = 0; i < n_threads; ++i) threads_.emplace_back([this] { io_context_.run(); });
}

void HttpServer::Impl::OnSignal(const ErrorCode& ec, int signal_number) {
  if (ec) return;
  ErrorCode ignored;
  signals_.clear(ignored);  // a second signal gets the default action
  {
    std::lock_guard<std::mutex> lock(mutex_);
    signal_number_ = signal_number;
  }
  changed_.notify_all();
}

asio::awaitable<void> HttpServer::Impl::AcceptLoop() {
  asio::steady_timer backoff(acceptor_.get_executor());
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_context_), kUseTuple);
    if (ec) {
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) break;
      backoff.expires_after(std::chrono::milliseconds(50));  // e.g. out of file descriptors
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    auto connection = std::make_shared<Connection>(*this, std::move(socket));
    if (Register(connection.get(), connection)) {
      connection->Start();
    } else {
      connection->Reject();
    }
  }
}

bool HttpServer::Impl::Register(Connection* connection, std::weak_ptr<Connection> weak) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (static_cast<int>(connections_.size()) >= options_.max_connections) return false;
  connections_.emplace(connection, std::move(weak));
  return true;
}

void HttpServer::Impl::Unregister(Connection* connection) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.erase(connection);
  }
  changed_.notify_all();
}

void HttpServer::Impl::AdjustBusy(int delta) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    n_busy_ += delta;
  }
  if (delta < 0) changed_.notify_all();
}

void HttpServer::Impl::ForEachConnection(void (Connection::*action)()) {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [raw, weak] : connections_) {
      if (std::shared_ptr<Connection> connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (std::shared_ptr<Connection>& connection : open) {
    asio::any_io_executor executor = connection->executor();
    asio::post(executor, [connection = std::move(connection), action] { (connection.get()->*action)(); });
  }
}

template <typename Predicate>
bool HttpServer::Impl::WaitUntil(Clock::time_point until, Predicate done) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_until(lock, until, done);
}

bool HttpServer::Impl::BeginShutdown() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (draining_.load()) {
      changed_.wait(lock, [this] { return shutdown_done_; });
      return false;
    }
    draining_.store(true);
  }
  // Once Shutdown has begun (as WaitForTerminationSignal sees it), new
  // connections are refused: the acceptor is closed on its strand first.
  std::promise<void> closed;
  asio::post(acceptor_.get_executor(), [this, &closed] {
    ErrorCode ec;
    acceptor_.close(ec);
    signals_.clear(ec);
    closed.set_value();
  });
  if (!threads_.empty()) closed.get_future().wait();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutdown_started_ = true;
  }
  changed_.notify_all();
  return true;
}

// Lets busy connections finish until `deadline` while idle ones close; then
// cuts the rest short (streams abandoned, a short grace to flush), and as a
// last resort closes every socket.
void HttpServer::Impl::Drain(Clock::time_point deadline) {
  auto none_open = [this] { return connections_.empty(); };
  if (WaitUntil(deadline, [this] { return n_busy_ == 0; })) {
    ForEachConnection(&Connection::OnDrainStart);
    if (WaitUntil(deadline, none_open)) return;
  }
  ForEachConnection(&Connection::OnDrainDeadline);
  if (WaitUntil(Clock::now() + kDrainGrace + std::chrono::seconds(1), none_open)) return;
  ForEachConnection(&Connection::Close);
  WaitUntil(Clock::now() + std::chrono::seconds(5), none_open);
}

void HttpServer::Impl::Shutdown(Clock::time_point deadline) {
  if (!BeginShutdown()) return;
  if (!threads_.empty()) Drain(deadline);
  work_.reset();
  io_context_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutdown_done_ = true;
  }
  changed_.notify_all();
}

int HttpServer::Impl::WaitForTerminationSignal() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return signal_number_ != 0 || shutdown_started_; });
  return signal_number_;
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(RequestHandler& handler, HttpServerOptions options) {
  if (options.n_threads < 1) return InvalidArgumentError("the server needs at least one io thread");
  if (options.max_connections < 1) return InvalidArgumentError("max_connections must be at least 1");
  auto impl = std::make_unique<Impl>(handler, std::move(options));
  FAB_RETURN_IF_ERROR(impl->Listen());
  impl->StartThreads();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;  // Impl's destructor shuts down
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Shutdown(Clock::time_point deadline) { impl_->Shutdown(deadline); }
int HttpServer::WaitForTerminationSignal() { return impl_->WaitForTerminationSignal(); }

}  // namespace fab::server
