#include "server/http_url.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace fab::server {
namespace {

struct WellFormedUrl {
  const char* text;
  const char* host;
  uint16_t port;
  const char* path_prefix;
  const char* target;         // joined onto the prefix …
  const char* joined_target;  // … gives this
};

TEST(HttpUrl, SplitsHostPortAndPathPrefix) {
  const WellFormedUrl rows[] = {
      {"http://127.0.0.1:8181/api/", "127.0.0.1", 8181, "/api", "/v1/completions", "/api/v1/completions"},
      {"http://localhost", "localhost", 80, "", "/v1/models", "/v1/models"},  // default port, no prefix
      {"http://[::1]:9000", "::1", 9000, "", "/v1/models", "/v1/models"},     // bracketed IPv6
  };
  for (const WellFormedUrl& row : rows) {
    StatusOr<HttpUrl> url = ParseHttpUrl(row.text);
    ASSERT_TRUE(url.ok()) << row.text << ": " << url.status().ToString();
    EXPECT_EQ(url->host, row.host) << row.text;
    EXPECT_EQ(url->port, row.port) << row.text;
    EXPECT_EQ(url->path_prefix, row.path_prefix) << row.text;
    EXPECT_EQ(JoinTarget(*url, row.target), row.joined_target) << row.text;
  }
}

TEST(HttpUrl, RefusesHttpsWithAClearMessage) {
  StatusOr<HttpUrl> url = ParseHttpUrl("https://example.com");
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(url.status().message().find("https"), std::string::npos);
}

TEST(HttpUrl, RefusesMalformedUrls) {
  for (const char* text : {"", "127.0.0.1:8080", "ftp://h/", "http://", "http://h:0", "http://h:65536",
                           "http://h:80x", "http://u:p@h/", "http://h/?q=1", "http://h/#f", "http://h:99999999999"}) {
    EXPECT_FALSE(ParseHttpUrl(text).ok()) << text;
  }
}

}  // namespace
}  // namespace fab::server
