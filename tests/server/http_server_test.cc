#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/raw_http.h"

namespace fab::server {
namespace {

using http_test::RawConnection;
using http_test::RawResponse;
using std::chrono::steady_clock;

constexpr auto kBoundedWait = std::chrono::seconds(10);  // "does not hang", never a speed check

// Answers /echo with "METHOD TARGET BODY"; /stream with a streamed response
// and /deferred with a whole one, both driven by the test; 404 otherwise.
class TestHandler : public RequestHandler {
 public:
  HandlerResult Handle(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    if (request.target == "/echo") {
      HttpResponse response;
      response.content_type = "text/plain";
      response.body = request.method + " " + request.target + " " + request.body;
      response.headers.emplace_back("X-Remote-Seen", request.remote.empty() ? "no" : "yes");
      return response;
    }
    if (request.target == "/stream" || request.target == "/deferred") {
      auto stream = std::make_shared<ResponseStream>(request.target == "/stream" ? ResponseStream::Kind::kStreamed
                                                                                 : ResponseStream::Kind::kWhole);
      stream->SetOnAbandon([this] {
        std::lock_guard<std::mutex> lock(mutex_);
        ++n_abandoned_;
        changed_.notify_all();
      });
      streams_.push_back(stream);
      changed_.notify_all();
      return stream;
    }
    HttpResponse not_found;
    not_found.status = 404;
    return not_found;
  }

  // The n-th stream handed out (0-based), once it exists; nullptr after the bounded wait.
  std::shared_ptr<ResponseStream> WaitForStream(size_t index) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, kBoundedWait, [&] { return streams_.size() > index; });
    return streams_.size() > index ? streams_[index] : nullptr;
  }
  bool WaitForAbandoned(int n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, kBoundedWait, [&] { return n_abandoned_ >= n; });
  }
  int n_abandoned() {
    std::lock_guard<std::mutex> lock(mutex_);
    return n_abandoned_;
  }
  size_t n_requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_.size();
  }
  HttpRequest request(size_t index) {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_.at(index);
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<HttpRequest> requests_;
  std::vector<std::shared_ptr<ResponseStream>> streams_;
  int n_abandoned_ = 0;
};

HttpServerOptions LoopbackOptions() {
  HttpServerOptions options;
  options.port = 0;
  return options;
}

// A TestHandler served on an ephemeral loopback port. A failed start fails
// the test; check started() before using the server.
class ServerUnderTest {
 public:
  explicit ServerUnderTest(HttpServerOptions options = LoopbackOptions()) {
    StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(handler_, std::move(options));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (server.ok()) server_ = std::move(server).value();
  }

  bool started() const { return server_ != nullptr; }
  HttpServer& server() { return *server_; }
  TestHandler& handler() { return handler_; }
  uint16_t port() const { return server_->port(); }

 private:
  TestHandler handler_;  // declared first: outlives the server
  std::unique_ptr<HttpServer> server_;
};

// A loopback connection. Failing to connect, to send, or to read a whole
// response fails the test (a failed read returns a response with `error` set).
class Client {
 public:
  explicit Client(uint16_t port) : connection_(RawConnection::Connect(port, &error_)) {
    EXPECT_TRUE(connection_.has_value()) << "connect: " << error_;
  }

  bool Send(std::string_view bytes) { return connection_ && connection_->Send(bytes); }
  RawResponse Read(bool head_only = false) {
    RawResponse response;
    response.error = "not connected";
    if (connection_) response = connection_->ReadResponse(http_test::kDefaultTimeout, head_only);
    EXPECT_TRUE(response.error.empty()) << "reading a response: " << response.error;
    return response;
  }
  RawResponse SendAndRead(std::string_view request, bool head_only = false) {
    EXPECT_TRUE(Send(request)) << "sending " << request.substr(0, 40);
    return Read(head_only);
  }
  bool WaitForClose() { return connection_ && connection_->WaitForClose(); }
  void Close() {
    if (connection_) connection_->Close();
  }

 private:
  std::string error_;
  std::optional<RawConnection> connection_;
};

// A chunked body that arrived whole, up to and including its last chunk.
bool EndedWithLastChunk(const RawResponse& response) { return response.chunked && response.error.empty(); }

std::string Get(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n"; }

std::string Post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Sends GET `target` (/stream or /deferred) on `client` and returns the first
// stream the handler handed out; nullptr, after a failure, when there is none.
std::shared_ptr<ResponseStream> RequestFirstStream(ServerUnderTest& test, Client& client, const std::string& target) {
  EXPECT_TRUE(client.Send(Get(target)));
  return test.handler().WaitForStream(0);
}

// Runs Shutdown on another thread; Wait() says whether it returned in the bounded wait.
class AsyncShutdown {
 public:
  AsyncShutdown(HttpServer& server, steady_clock::duration deadline_in)
      : done_(std::async(std::launch::async, [&server, deadline = steady_clock::now() + deadline_in] {
          server.Shutdown(deadline);
        })) {}
  bool Wait() { return done_.wait_for(kBoundedWait) == std::future_status::ready; }

 private:
  std::future<void> done_;
};

// Finishes a streamed response when the scope ends.
class FinishOnExit {
 public:
  explicit FinishOnExit(ResponseStream& stream) : stream_(stream) {}
  ~FinishOnExit() { stream_.Finish(); }

 private:
  ResponseStream& stream_;
};

TEST(HttpServer, BindsARealPortWhenAskedForPortZero) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  EXPECT_NE(test.port(), 0);
  EXPECT_TRUE(RawConnection::Connect(test.port()).has_value());
}

TEST(HttpServer, ReportsABusyPortAsUnavailable) {
  ServerUnderTest first;
  ASSERT_TRUE(first.started());
  HttpServerOptions options = LoopbackOptions();
  options.port = first.port();
  StatusOr<std::unique_ptr<HttpServer>> second = HttpServer::Start(first.handler(), options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST(HttpServer, RejectsAHostThatDoesNotResolve) {
  TestHandler handler;
  HttpServerOptions options = LoopbackOptions();
  options.host = "";  // fails without asking DNS
  StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(handler, options);
  EXPECT_FALSE(server.ok());
}

TEST(HttpServer, AnswersTwoRequestsOnOneKeepAliveConnection) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  RawResponse first = client.SendAndRead(Get("/echo"));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "GET /echo ");
  EXPECT_EQ(first.Header("content-type"), "text/plain");
  EXPECT_EQ(first.Header("x-remote-seen"), "yes");

  RawResponse second = client.SendAndRead(Post("/echo", "{\"a\":1}"));
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "POST /echo {\"a\":1}");
  ASSERT_EQ(test.handler().n_requests(), 2u);
  EXPECT_EQ(test.handler().request(1).content_type, "application/json");
}

TEST(HttpServer, ClosesAfterAnsweringARequestThatAsksForIt) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  RawResponse response = client.SendAndRead("GET /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(response.Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, AnswersPipelinedRequestsInOrder) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  ASSERT_TRUE(client.Send(Post("/echo", "one") + Post("/echo", "two") + Get("/echo")));
  for (const char* expected : {"POST /echo one", "POST /echo two", "GET /echo "}) {
    EXPECT_EQ(client.Read().body, expected);
  }
}

TEST(HttpServer, SendsContinueBeforeReadingAnExpectedBody) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  RawResponse go_on =
      client.SendAndRead("POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  EXPECT_EQ(go_on.status, 100);
  EXPECT_EQ(client.SendAndRead("body").body, "POST /echo body");
}

TEST(HttpServer, KeepsAnHttp10ConnectionOnlyWhenAskedTo) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  RawResponse kept = client.SendAndRead("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(kept.Header("connection"), "keep-alive");
  EXPECT_EQ(client.SendAndRead("GET /echo HTTP/1.0\r\n\r\n").body, "GET /echo ");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, StaysUpAfterHostileRequests) {
  HttpServerOptions options = LoopbackOptions();
  options.read_timeout = std::chrono::seconds(2);
  ServerUnderTest test(options);
  ASSERT_TRUE(test.started());
  const std::vector<std::string> hostile = {
      std::string("GET /\0 HTTP/1.1\r\n\r\n", 19),
      "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "GET / HTTP/1.1\r\n folded: header\r\n\r\n",
      "\r\n\r\n\r\n",
      std::string(64 << 10, 'A'),
  };
  for (const std::string& bytes : hostile) {
    Client client(test.port());
    client.Send(bytes);
    EXPECT_TRUE(client.WaitForClose()) << bytes.substr(0, 40);
  }
  EXPECT_EQ(Client(test.port()).SendAndRead(Get("/echo")).status, 200);
}

TEST(HttpServer, AnswersHeadWithHeadersOnly) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  RawResponse head = client.SendAndRead("HEAD /echo HTTP/1.1\r\nHost: test\r\n\r\n", /*head_only=*/true);
  EXPECT_EQ(head.Header("content-length"), std::to_string(std::string("HEAD /echo ").size()));
  // Had a body followed the head, this response would start with it.
  EXPECT_EQ(client.SendAndRead(Get("/echo")).body, "GET /echo ");
}

TEST(HttpServer, AnswersABodyOverTheCapWith413WithoutWaitingForIt) {
  HttpServerOptions options = LoopbackOptions();
  options.max_body_bytes = 100;
  ServerUnderTest test(options);
  ASSERT_TRUE(test.started());
  Client client(test.port());
  // The headers promise 1000 bytes that never come.
  RawResponse response = client.SendAndRead("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_EQ(response.status, 413);
  EXPECT_NE(response.body.find("\"error\""), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(test.handler().n_requests(), 0u);
}

TEST(HttpServer, AnswersAChunkedBodyOverTheCapWith413) {
  HttpServerOptions options = LoopbackOptions();
  options.max_body_bytes = 100;
  ServerUnderTest test(options);
  ASSERT_TRUE(test.started());
  std::string chunk(80, 'x');
  RawResponse response = Client(test.port()).SendAndRead(
      "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
      "50\r\n" + chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(test.handler().n_requests(), 0u);
}

TEST(HttpServer, AnswersHugeHeadersWith431) {
  HttpServerOptions options = LoopbackOptions();
  options.max_header_bytes = 1024;
  ServerUnderTest test(options);
  ASSERT_TRUE(test.started());
  Client client(test.port());
  RawResponse response =
      client.SendAndRead("GET /echo HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  EXPECT_EQ(response.status, 431);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, AnswersAMalformedRequestLineWith400AndCloses) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  RawResponse response = client.SendAndRead("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("invalid_request_error"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(test.handler().n_requests(), 0u);
}

TEST(HttpServer, ClosesAConnectionWhoseHeadersNeverFinish) {
  HttpServerOptions options = LoopbackOptions();
  options.read_timeout = std::chrono::seconds(1);
  ServerUnderTest test(options);
  ASSERT_TRUE(test.started());
  Client client(test.port());
  ASSERT_TRUE(client.Send("GET /echo HTTP/1.1\r\nHost: te"));
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(test.handler().n_requests(), 0u);
}

TEST(HttpServer, WritesAStreamAsChunkedSseInOrderThenKeepsTheConnection) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  std::shared_ptr<ResponseStream> stream = RequestFirstStream(test, client, "/stream");
  ASSERT_NE(stream, nullptr);
  std::string expected;
  for (int i = 0; i < 20; ++i) expected += "data: " + std::to_string(i) + "\n\n";
  std::thread producer([stream] {
    for (int i = 0; i < 20; ++i) stream->Append("data: " + std::to_string(i) + "\n\n");
    stream->Finish();
  });
  RawResponse response = client.Read();
  producer.join();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type"), "text/event-stream");
  EXPECT_EQ(response.Header("cache-control"), "no-cache");
  EXPECT_EQ(response.Header("transfer-encoding"), "chunked");
  EXPECT_TRUE(EndedWithLastChunk(response));
  EXPECT_EQ(response.body, expected);
  EXPECT_EQ(test.handler().n_abandoned(), 0);

  EXPECT_EQ(client.SendAndRead(Get("/echo")).body, "GET /echo ");
}

TEST(HttpServer, WritesADeferredWholeResponseOnceItCompletes) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  std::shared_ptr<ResponseStream> stream = RequestFirstStream(test, client, "/deferred");
  ASSERT_NE(stream, nullptr);
  std::thread producer([stream] {
    ResponseHead response;
    response.status = 201;
    response.body = "{\"done\":true}";
    response.headers.emplace_back("Retry-After", "1");
    stream->Complete(std::move(response));
  });
  RawResponse response = client.Read();
  producer.join();
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "{\"done\":true}");
  EXPECT_EQ(response.Header("retry-after"), "1");
  EXPECT_EQ(response.Header("content-type"), "application/json");
}

TEST(HttpServer, AbandonsAStreamWhenTheClientCloses) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  std::shared_ptr<ResponseStream> stream = RequestFirstStream(test, client, "/stream");
  ASSERT_NE(stream, nullptr);
  stream->Append("data: first\n\n");
  client.Close();
  EXPECT_TRUE(test.handler().WaitForAbandoned(1));
  EXPECT_TRUE(stream->abandoned());
}

TEST(HttpServer, AbandonsADeferredResponseWhenTheClientCloses) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  ASSERT_NE(RequestFirstStream(test, client, "/deferred"), nullptr);
  client.Close();
  EXPECT_TRUE(test.handler().WaitForAbandoned(1));
}

TEST(HttpServer, AbandonsAStreamWhoseReaderStallsPastTheWriteTimeout) {
  HttpServerOptions options = LoopbackOptions();
  options.write_timeout = std::chrono::seconds(1);
  ServerUnderTest test(options);
  ASSERT_TRUE(test.started());
  Client client(test.port());  // sends, then never reads
  std::shared_ptr<ResponseStream> stream = RequestFirstStream(test, client, "/stream");
  ASSERT_NE(stream, nullptr);
  std::thread producer([stream] {
    // Fills the socket buffers; bounded at 128 MiB in all.
    std::string block(1 << 20, 'x');
    for (int i = 0; i < 128 && !stream->abandoned(); ++i) {
      stream->Append(block);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  EXPECT_TRUE(test.handler().WaitForAbandoned(1));
  producer.join();
}

TEST(HttpServer, ShutdownDuringAStreamEndsItWithTheLastChunkAndReturns) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  std::shared_ptr<ResponseStream> stream = RequestFirstStream(test, client, "/stream");
  ASSERT_NE(stream, nullptr);
  stream->Append("data: before\n\n");
  AsyncShutdown shutdown(test.server(), std::chrono::milliseconds(200));
  RawResponse response = client.Read();
  EXPECT_EQ(response.body, "data: before\n\n");
  EXPECT_TRUE(EndedWithLastChunk(response));
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(test.handler().WaitForAbandoned(1));
  EXPECT_TRUE(shutdown.Wait());
}

TEST(HttpServer, LetsAStreamFinishWhenItEndsBeforeTheDrainDeadline) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client client(test.port());
  std::shared_ptr<ResponseStream> stream = RequestFirstStream(test, client, "/stream");
  ASSERT_NE(stream, nullptr);
  AsyncShutdown shutdown(test.server(), std::chrono::seconds(60));
  EXPECT_EQ(test.server().WaitForTerminationSignal(), 0);  // returns once Shutdown began
  stream->Append("data: last\n\n");
  stream->Finish();
  RawResponse response = client.Read();
  EXPECT_EQ(response.body, "data: last\n\n");
  EXPECT_TRUE(EndedWithLastChunk(response));
  EXPECT_TRUE(client.WaitForClose());  // no keep-alive while draining
  EXPECT_TRUE(shutdown.Wait());
  EXPECT_EQ(test.handler().n_abandoned(), 0);
}

TEST(HttpServer, RefusesNewWorkOnceShutdownBegan) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  Client idle(test.port());  // kept alive across the shutdown
  EXPECT_EQ(idle.SendAndRead(Get("/echo")).status, 200);
  Client streaming(test.port());  // keeps the drain going
  std::shared_ptr<ResponseStream> stream = RequestFirstStream(test, streaming, "/stream");
  ASSERT_NE(stream, nullptr);

  AsyncShutdown shutdown(test.server(), std::chrono::seconds(60));
  FinishOnExit finish_on_exit(*stream);  // ends the drain early should an assertion fail
  EXPECT_EQ(test.server().WaitForTerminationSignal(), 0);
  RawResponse refused = idle.SendAndRead(Get("/echo"));
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("shutting down"), std::string::npos);
  EXPECT_FALSE(RawConnection::Connect(test.port()).has_value());

  stream->Finish();
  EXPECT_TRUE(shutdown.Wait());
  EXPECT_EQ(test.handler().n_requests(), 2u);  // the refused request never reached the handler
}

TEST(HttpServer, AnswersConnectionsOverTheCapWith503) {
  HttpServerOptions options = LoopbackOptions();
  options.max_connections = 1;
  ServerUnderTest test(options);
  ASSERT_TRUE(test.started());
  Client first(test.port());
  EXPECT_EQ(first.SendAndRead(Get("/echo")).status, 200);  // now surely accepted
  EXPECT_EQ(Client(test.port()).Read().status, 503);
}

TEST(HttpServer, ReportsEachResponseToTheObserver) {
  std::mutex mutex;
  std::vector<std::pair<std::string, int>> seen;
  HttpServerOptions options = LoopbackOptions();
  options.on_response = [&](const HttpRequest& request, int status, double seconds) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.emplace_back(request.target, status);
  };
  ServerUnderTest test(options);
  ASSERT_TRUE(test.started());
  Client client(test.port());
  client.SendAndRead(Get("/echo"));
  client.SendAndRead(Get("/missing"));
  test.server().Shutdown(steady_clock::now());
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(std::string("/echo"), 200));
  EXPECT_EQ(seen[1], std::make_pair(std::string("/missing"), 404));
}

TEST(HttpServer, ShutdownIsIdempotentAndWakesTheSignalWaiter) {
  ServerUnderTest test;
  ASSERT_TRUE(test.started());
  HttpServer& server = test.server();
  auto waiter = std::async(std::launch::async, [&] { return server.WaitForTerminationSignal(); });
  server.Shutdown(steady_clock::now());
  server.Shutdown(steady_clock::now());
  ASSERT_EQ(waiter.wait_for(kBoundedWait), std::future_status::ready);
  EXPECT_EQ(waiter.get(), 0);
}

}  // namespace
}  // namespace fab::server
