#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/raw_http_client.h"

namespace fab::server {
namespace {

using testing::RawHttpClient;
using testing::RawResponse;
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

std::unique_ptr<HttpServer> StartServer(TestHandler& handler, HttpServerOptions options = LoopbackOptions()) {
  StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(handler, std::move(options));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

std::string Get(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n"; }

std::string Post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
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
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  EXPECT_NE(server->port(), 0);
  RawHttpClient client(server->port());
  EXPECT_TRUE(client.connected());
}

TEST(HttpServer, ReportsABusyPortAsUnavailable) {
  TestHandler handler;
  auto first = StartServer(handler);
  ASSERT_NE(first, nullptr);
  HttpServerOptions options = LoopbackOptions();
  options.port = first->port();
  StatusOr<std::unique_ptr<HttpServer>> second = HttpServer::Start(handler, options);
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
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/echo")));
  std::optional<RawResponse> first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "GET /echo ");
  EXPECT_EQ(first->Header("content-type"), "text/plain");
  EXPECT_EQ(first->Header("x-remote-seen"), "yes");

  ASSERT_TRUE(client.Send(Post("/echo", "{\"a\":1}")));
  std::optional<RawResponse> second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "POST /echo {\"a\":1}");
  ASSERT_EQ(handler.n_requests(), 2u);
  EXPECT_EQ(handler.request(1).content_type, "application/json");
}

TEST(HttpServer, ClosesAfterAnsweringARequestThatAsksForIt) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send("GET /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, AnswersPipelinedRequestsInOrder) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Post("/echo", "one") + Post("/echo", "two") + Get("/echo")));
  for (const char* expected : {"POST /echo one", "POST /echo two", "GET /echo "}) {
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, expected);
  }
}

TEST(HttpServer, SendsContinueBeforeReadingAnExpectedBody) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  std::optional<RawResponse> go_on = client.ReadResponse();
  ASSERT_TRUE(go_on.has_value());
  EXPECT_EQ(go_on->status, 100);
  ASSERT_TRUE(client.Send("body"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "POST /echo body");
}

TEST(HttpServer, KeepsAnHttp10ConnectionOnlyWhenAskedTo) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  std::optional<RawResponse> kept = client.ReadResponse();
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->Header("connection"), "keep-alive");
  ASSERT_TRUE(client.Send("GET /echo HTTP/1.0\r\n\r\n"));
  std::optional<RawResponse> last = client.ReadResponse();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->body, "GET /echo ");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, StaysUpAfterHostileRequests) {
  TestHandler handler;
  HttpServerOptions options = LoopbackOptions();
  options.read_timeout = std::chrono::seconds(2);
  auto server = StartServer(handler, options);
  ASSERT_NE(server, nullptr);
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
    RawHttpClient client(server->port());
    ASSERT_TRUE(client.connected());
    client.Send(bytes);
    EXPECT_TRUE(client.WaitForClose()) << bytes.substr(0, 40);
  }
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/echo")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServer, AnswersHeadWithHeadersOnly) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send("HEAD /echo HTTP/1.1\r\nHost: test\r\n\r\n"));
  std::optional<RawResponse> head = client.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->Header("content-length"), std::to_string(std::string("HEAD /echo ").size()));
  // Had a body followed the head, this response would start with it.
  ASSERT_TRUE(client.Send(Get("/echo")));
  std::optional<RawResponse> next = client.ReadResponse();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "GET /echo ");
}

TEST(HttpServer, AnswersABodyOverTheCapWith413WithoutWaitingForIt) {
  TestHandler handler;
  HttpServerOptions options = LoopbackOptions();
  options.max_body_bytes = 100;
  auto server = StartServer(handler, options);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  // The headers promise 1000 bytes that never come.
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_NE(response->body.find("\"error\""), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(handler.n_requests(), 0u);
}

TEST(HttpServer, AnswersAChunkedBodyOverTheCapWith413) {
  TestHandler handler;
  HttpServerOptions options = LoopbackOptions();
  options.max_body_bytes = 100;
  auto server = StartServer(handler, options);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  std::string chunk(80, 'x');
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "50\r\n" + chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(handler.n_requests(), 0u);
}

TEST(HttpServer, AnswersHugeHeadersWith431) {
  TestHandler handler;
  HttpServerOptions options = LoopbackOptions();
  options.max_header_bytes = 1024;
  auto server = StartServer(handler, options);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send("GET /echo HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, AnswersAMalformedRequestLineWith400AndCloses) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find("invalid_request_error"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(handler.n_requests(), 0u);
}

TEST(HttpServer, ClosesAConnectionWhoseHeadersNeverFinish) {
  TestHandler handler;
  HttpServerOptions options = LoopbackOptions();
  options.read_timeout = std::chrono::seconds(1);
  auto server = StartServer(handler, options);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send("GET /echo HTTP/1.1\r\nHost: te"));
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(handler.n_requests(), 0u);
}

TEST(HttpServer, WritesAStreamAsChunkedSseInOrderThenKeepsTheConnection) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/stream")));
  std::shared_ptr<ResponseStream> stream = handler.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  std::string expected;
  for (int i = 0; i < 20; ++i) expected += "data: " + std::to_string(i) + "\n\n";
  std::thread producer([stream] {
    for (int i = 0; i < 20; ++i) stream->Append("data: " + std::to_string(i) + "\n\n");
    stream->Finish();
  });
  std::optional<RawResponse> response = client.ReadResponse();
  producer.join();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-type"), "text/event-stream");
  EXPECT_EQ(response->Header("cache-control"), "no-cache");
  EXPECT_EQ(response->Header("transfer-encoding"), "chunked");
  EXPECT_TRUE(response->ended_with_last_chunk);
  EXPECT_EQ(response->body, expected);
  EXPECT_EQ(handler.n_abandoned(), 0);

  ASSERT_TRUE(client.Send(Get("/echo")));
  std::optional<RawResponse> next = client.ReadResponse();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "GET /echo ");
}

TEST(HttpServer, WritesADeferredWholeResponseOnceItCompletes) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/deferred")));
  std::shared_ptr<ResponseStream> stream = handler.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  std::thread producer([stream] {
    ResponseHead response;
    response.status = 201;
    response.body = "{\"done\":true}";
    response.headers.emplace_back("Retry-After", "1");
    stream->Complete(std::move(response));
  });
  std::optional<RawResponse> response = client.ReadResponse();
  producer.join();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "{\"done\":true}");
  EXPECT_EQ(response->Header("retry-after"), "1");
  EXPECT_EQ(response->Header("content-type"), "application/json");
}

TEST(HttpServer, AbandonsAStreamWhenTheClientCloses) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/stream")));
  std::shared_ptr<ResponseStream> stream = handler.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  stream->Append("data: first\n\n");
  client.Close();
  EXPECT_TRUE(handler.WaitForAbandoned(1));
  EXPECT_TRUE(stream->abandoned());
}

TEST(HttpServer, AbandonsADeferredResponseWhenTheClientCloses) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/deferred")));
  ASSERT_NE(handler.WaitForStream(0), nullptr);
  client.Close();
  EXPECT_TRUE(handler.WaitForAbandoned(1));
}

TEST(HttpServer, AbandonsAStreamWhoseReaderStallsPastTheWriteTimeout) {
  TestHandler handler;
  HttpServerOptions options = LoopbackOptions();
  options.write_timeout = std::chrono::seconds(1);
  auto server = StartServer(handler, options);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());  // sends, then never reads
  ASSERT_TRUE(client.Send(Get("/stream")));
  std::shared_ptr<ResponseStream> stream = handler.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  std::thread producer([stream] {
    // Fills the socket buffers; bounded at 128 MiB in all.
    std::string block(1 << 20, 'x');
    for (int i = 0; i < 128 && !stream->abandoned(); ++i) {
      stream->Append(block);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  EXPECT_TRUE(handler.WaitForAbandoned(1));
  producer.join();
}

TEST(HttpServer, ShutdownDuringAStreamEndsItWithTheLastChunkAndReturns) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/stream")));
  std::shared_ptr<ResponseStream> stream = handler.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  stream->Append("data: before\n\n");
  AsyncShutdown shutdown(*server, std::chrono::milliseconds(200));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "data: before\n\n");
  EXPECT_TRUE(response->ended_with_last_chunk);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(handler.WaitForAbandoned(1));
  EXPECT_TRUE(shutdown.Wait());
}

TEST(HttpServer, LetsAStreamFinishWhenItEndsBeforeTheDrainDeadline) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/stream")));
  std::shared_ptr<ResponseStream> stream = handler.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  AsyncShutdown shutdown(*server, std::chrono::seconds(60));
  EXPECT_EQ(server->WaitForTerminationSignal(), 0);  // returns once Shutdown began
  stream->Append("data: last\n\n");
  stream->Finish();
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "data: last\n\n");
  EXPECT_TRUE(response->ended_with_last_chunk);
  EXPECT_TRUE(client.WaitForClose());  // no keep-alive while draining
  EXPECT_TRUE(shutdown.Wait());
  EXPECT_EQ(handler.n_abandoned(), 0);
}

TEST(HttpServer, RefusesNewWorkOnceShutdownBegan) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  RawHttpClient idle(server->port());  // kept alive across the shutdown
  ASSERT_TRUE(idle.Send(Get("/echo")));
  ASSERT_TRUE(idle.ReadResponse().has_value());
  RawHttpClient streaming(server->port());  // keeps the drain going
  ASSERT_TRUE(streaming.Send(Get("/stream")));
  std::shared_ptr<ResponseStream> stream = handler.WaitForStream(0);
  ASSERT_NE(stream, nullptr);

  AsyncShutdown shutdown(*server, std::chrono::seconds(60));
  FinishOnExit finish_on_exit(*stream);  // ends the drain early should an assertion fail
  EXPECT_EQ(server->WaitForTerminationSignal(), 0);
  ASSERT_TRUE(idle.Send(Get("/echo")));
  std::optional<RawResponse> refused = idle.ReadResponse();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->body.find("shutting down"), std::string::npos);
  RawHttpClient late(server->port());
  EXPECT_FALSE(late.connected());

  stream->Finish();
  EXPECT_TRUE(shutdown.Wait());
  EXPECT_EQ(handler.n_requests(), 2u);  // the refused request never reached the handler
}

TEST(HttpServer, AnswersConnectionsOverTheCapWith503) {
  TestHandler handler;
  HttpServerOptions options = LoopbackOptions();
  options.max_connections = 1;
  auto server = StartServer(handler, options);
  ASSERT_NE(server, nullptr);
  RawHttpClient first(server->port());
  ASSERT_TRUE(first.Send(Get("/echo")));
  ASSERT_TRUE(first.ReadResponse().has_value());  // now surely accepted
  RawHttpClient second(server->port());
  std::optional<RawResponse> refused = second.ReadResponse();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
}

TEST(HttpServer, ReportsEachResponseToTheObserver) {
  TestHandler handler;
  std::mutex mutex;
  std::vector<std::pair<std::string, int>> seen;
  HttpServerOptions options = LoopbackOptions();
  options.on_response = [&](const HttpRequest& request, int status, double seconds) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.emplace_back(request.target, status);
  };
  auto server = StartServer(handler, options);
  ASSERT_NE(server, nullptr);
  RawHttpClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/echo")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  ASSERT_TRUE(client.Send(Get("/missing")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  server->Shutdown(steady_clock::now());
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(std::string("/echo"), 200));
  EXPECT_EQ(seen[1], std::make_pair(std::string("/missing"), 404));
}

TEST(HttpServer, ShutdownIsIdempotentAndWakesTheSignalWaiter) {
  TestHandler handler;
  auto server = StartServer(handler);
  ASSERT_NE(server, nullptr);
  auto waiter = std::async(std::launch::async, [&] { return server->WaitForTerminationSignal(); });
  server->Shutdown(steady_clock::now());
  server->Shutdown(steady_clock::now());
  ASSERT_EQ(waiter.wait_for(kBoundedWait), std::future_status::ready);
  EXPECT_EQ(waiter.get(), 0);
}

}  // namespace
}  // namespace fab::server
