#include "server/http_wire.h"

#include <gtest/gtest.h>

#include <string>

namespace fab::server {
namespace {

ResponseHead JsonResponse(int status, std::string body) {
  ResponseHead response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(HttpWire, WritesAWholeResponseWithContentLength) {
  ResponseHead response = JsonResponse(404, "{}");
  response.headers.emplace_back("Retry-After", "1");
  EXPECT_EQ(SerializeResponse(response, ResponseFraming{}),
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            "Content-Length: 2\r\n\r\n{}");
}

TEST(HttpWire, SaysConnectionCloseOnlyWhenNotKeepingAlive) {
  ResponseFraming closing{.http_version = 11, .keep_alive = false};
  EXPECT_NE(SerializeResponse(JsonResponse(200, ""), closing).find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(SerializeResponse(JsonResponse(200, ""), ResponseFraming{}).find("Connection:"), std::string::npos);
}

TEST(HttpWire, SaysKeepAliveToHttp10ClientsThatAskedForIt) {
  ResponseFraming kept{.http_version = 10, .keep_alive = true};
  std::string bytes = SerializeResponse(JsonResponse(200, "x"), kept);
  EXPECT_EQ(bytes.rfind("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", 0), 0u);
}

TEST(HttpWire, LeavesTheBodyOutForHeadButKeepsItsLength) {
  ResponseFraming head{.head_only = true};
  std::string bytes = SerializeResponse(JsonResponse(200, "hello"), head);
  EXPECT_NE(bytes.find("Content-Length: 5\r\n\r\n"), std::string::npos);
  EXPECT_EQ(bytes.substr(bytes.size() - 4), "\r\n\r\n");
}

TEST(HttpWire, DropsHeadersThatWouldBreakTheFraming) {
  ResponseHead response = JsonResponse(200, "");
  response.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: b");
  response.headers.emplace_back("X-Fine", "ok");
  std::string bytes = SerializeResponse(response, ResponseFraming{});
  EXPECT_EQ(bytes.find("X-Evil"), std::string::npos);
  EXPECT_NE(bytes.find("X-Fine: ok\r\n"), std::string::npos);
}

TEST(HttpWire, WritesAnImpossibleStatusAs500) {
  EXPECT_EQ(SerializeResponse(JsonResponse(0, ""), ResponseFraming{}).rfind("HTTP/1.1 500 Internal Server Error\r\n", 0),
            0u);
  EXPECT_STREQ(ReasonPhrase(299), "Unknown");
}

TEST(HttpWire, StartsAnEventStreamChunkedOnHttp11AndUnframedOnHttp10) {
  EXPECT_EQ(SerializeEventStreamHead(ResponseFraming{}),
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            "Transfer-Encoding: chunked\r\n\r\n");
  std::string http10 = SerializeEventStreamHead(ResponseFraming{.http_version = 10, .keep_alive = false});
  EXPECT_EQ(http10.find("Transfer-Encoding"), std::string::npos);
}

TEST(HttpWire, FramesChunksWithHexSizesAndTheLastChunk) {
  EXPECT_EQ(FrameChunk(std::string(26, 'a'), false), "1a\r\n" + std::string(26, 'a') + "\r\n");
  EXPECT_EQ(FrameChunk("data: x\n\n", true), "9\r\ndata: x\n\n\r\n0\r\n\r\n");
  EXPECT_EQ(FrameChunk("", true), "0\r\n\r\n");
  EXPECT_EQ(FrameChunk("", false), "");
}

}  // namespace
}  // namespace fab::server
