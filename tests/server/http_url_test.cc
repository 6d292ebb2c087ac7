#include "server/http_url.h"

#include <gtest/gtest.h>

namespace fab::server {
namespace {

TEST(HttpUrl, SplitsHostPortAndPathPrefix) {
  StatusOr<HttpUrl> url = ParseHttpUrl("http://127.0.0.1:8181/api/");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8181);
  EXPECT_EQ(url->path_prefix, "/api");
  EXPECT_EQ(JoinTarget(*url, "/v1/completions"), "/api/v1/completions");
}

TEST(HttpUrl, DefaultsToPort80AndAnEmptyPrefix) {
  StatusOr<HttpUrl> url = ParseHttpUrl("http://localhost");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(JoinTarget(*url, "/v1/models"), "/v1/models");
}

TEST(HttpUrl, AcceptsBracketedIpv6) {
  StatusOr<HttpUrl> url = ParseHttpUrl("http://[::1]:9000");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9000);
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
