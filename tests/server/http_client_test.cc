// HttpClient against a scripted loopback server written with POSIX sockets
// (not Beast), so the client is checked against bytes we choose.
#include "server/http_client.h"

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/loopback_server.h"

namespace fab::server {
namespace {

using namespace std::chrono_literals;
using test::LoopbackServer;
using test::ReadRequest;
using test::SendAll;
using test::WaitForPeerClose;
using test::ChunkedPiece;

HttpClientOptions TestOptions() {
  HttpClientOptions options;
  options.connect_timeout = 5s;
  options.read_timeout = 5s;
  return options;
}

constexpr std::string_view kSseHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(HttpClient, PostReturnsTheWholeResponseAndSendsTheJsonBody) {
  std::promise<std::string> received;
  LoopbackServer server([&](int fd, int) {
    received.set_value(ReadRequest(fd));
    SendAll(fd, "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
    WaitForPeerClose(fd);
  });
  HttpClient client("127.0.0.1", server.port(), TestOptions());
  StatusOr<HttpReply> reply = client.Post("/v1/x", R"({"a":1})", {{"Authorization", "Bearer k"}});
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 201);
  EXPECT_EQ(reply->content_type, "application/json");
  EXPECT_EQ(reply->body, "{\"ok\":true}");
  const std::string request = received.get_future().get();
  EXPECT_EQ(request.rfind("POST /v1/x HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("Content-Type: application/json"), std::string::npos);
  EXPECT_NE(request.find("Authorization: Bearer k"), std::string::npos);
  EXPECT_EQ(request.substr(request.size() - 7), R"({"a":1})");
}

TEST(HttpClient, StreamsEventsSplitAcrossOddChunkBoundariesAsTheyArrive) {
  std::promise<void> first_event_seen;
  std::atomic<bool> client_saw_first_before_rest{false};
  LoopbackServer server([&](int fd, int) {
    ReadRequest(fd);
    SendAll(fd, kSseHead);
    // The first event, with the chunk boundary inside "data:" and in the JSON.
    SendAll(fd, ChunkedPiece("da"));
    SendAll(fd, ChunkedPiece("ta: {\"t\":\"He"));
    SendAll(fd, ChunkedPiece("llo\"}\n\nd"));
    client_saw_first_before_rest = first_event_seen.get_future().wait_for(10s) == std::future_status::ready;
    // The rest in one chunk split in the middle of its size line and data.
    const std::string rest = ChunkedPiece("ata: {\"t\":\"!\"}\r\n\r\ndata: [DONE]\n\n") + "0\r\n\r\n";
    SendAll(fd, rest.substr(0, 1));
    SendAll(fd, rest.substr(1, 7));
    SendAll(fd, rest.substr(8));
    WaitForPeerClose(fd);
  });
  HttpClient client("127.0.0.1", server.port(), TestOptions());
  std::vector<std::string> events;
  StatusOr<HttpReply> reply = client.PostStreaming("/v1/completions", "{}", [&](std::string_view data) {
    events.emplace_back(data);
    if (events.size() == 1) first_event_seen.set_value();
  });
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_TRUE(reply->body.empty());
  EXPECT_EQ(events, std::vector<std::string>({R"({"t":"Hello"})", R"({"t":"!"})", "[DONE]"}));
  EXPECT_TRUE(client_saw_first_before_rest);
}

TEST(HttpClient, ReturnsAnErrorBodyWholeWithoutEvents) {
  LoopbackServer server([&](int fd, int) {
    ReadRequest(fd);
    const std::string body = "data: {\"error\":1}\n\n";
    SendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body);
    WaitForPeerClose(fd);
  });
  HttpClient client("127.0.0.1", server.port(), TestOptions());
  int n_events = 0;
  StatusOr<HttpReply> reply = client.PostStreaming("/v1/completions", "{}", [&](std::string_view) { ++n_events; });
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(reply->body, "data: {\"error\":1}\n\n");
  EXPECT_EQ(n_events, 0);
}

TEST(HttpClient, FailsWhenTheServerClosesInTheMiddleOfAStream) {
  LoopbackServer server([&](int fd, int) {
    ReadRequest(fd);
    SendAll(fd, kSseHead);
    SendAll(fd, ChunkedPiece("data: {\"t\":\"a\"}\n\n"));
    SendAll(fd, "40\r\ndata: {\"t\":");  // a chunk cut short, then close
  });
  HttpClient client("127.0.0.1", server.port(), TestOptions());
  std::vector<std::string> events;
  StatusOr<HttpReply> reply =
      client.PostStreaming("/v1/completions", "{}", [&](std::string_view data) { events.emplace_back(data); });
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(events, std::vector<std::string>({R"({"t":"a"})"}));
}

TEST(HttpClient, FailsWhenTheServerClosesBeforeAnswering) {
  LoopbackServer server([&](int fd, int) { ReadRequest(fd); });
  HttpClient client("127.0.0.1", server.port(), TestOptions());
  EXPECT_FALSE(client.Post("/", "{}").ok());
}

TEST(HttpClient, FailsWhenTheConnectionIsRefused) {
  uint16_t closed_port = 0;
  {
    LoopbackServer probe([](int, int) {});
    closed_port = probe.port();
  }
  HttpClient client("127.0.0.1", closed_port, TestOptions());
  StatusOr<HttpReply> reply = client.Get("/health");
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.status().message().find("connect"), std::string::npos) << reply.status().ToString();
}

TEST(HttpClient, FailsOnABodyOverItsCap) {
  LoopbackServer server([&](int fd, int) {
    ReadRequest(fd);
    SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'));
    WaitForPeerClose(fd);
  });
  HttpClientOptions options = TestOptions();
  options.max_body_bytes = 10;
  HttpClient client("127.0.0.1", server.port(), options);
  EXPECT_FALSE(client.Get("/").ok());
}

TEST(HttpClient, FailsWhenTheServerStopsSendingPastTheReadTimeout) {
  LoopbackServer server([&](int fd, int) {
    ReadRequest(fd);
    SendAll(fd, kSseHead);
    WaitForPeerClose(fd);
  });
  HttpClientOptions options = TestOptions();
  options.read_timeout = 200ms;
  HttpClient client("127.0.0.1", server.port(), options);
  StatusOr<HttpReply> reply = client.PostStreaming("/", "{}", [](std::string_view) {});
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.status().message().find("timed out"), std::string::npos) << reply.status().ToString();
}

TEST(HttpClient, ReusesAKeptAliveConnectionAndReconnectsWhenTheServerDroppedIt) {
  // Connection 0 answers two requests, then closes without saying so;
  // connection 1 answers the third request.
  LoopbackServer server([&](int fd, int index) {
    const int n_answers = index == 0 ? 2 : 1;
    for (int i = 0; i < n_answers; ++i) {
      if (ReadRequest(fd).empty()) return;
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + std::to_string(index));
    }
  });
  HttpClient client("127.0.0.1", server.port(), TestOptions());
  std::vector<std::string> bodies;
  for (int i = 0; i < 3; ++i) {
    StatusOr<HttpReply> reply = client.Get("/v1/models");
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.status().ToString();
    bodies.push_back(reply->body);
  }
  EXPECT_EQ(bodies, std::vector<std::string>({"0", "0", "1"}));
}

}  // namespace
}  // namespace fab::server
