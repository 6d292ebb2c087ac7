// metadata.deadline (RFC 3339): a request not finished by then ends with 504
// deadline_exceeded (whole) or an error event (stream) and its engine work
// stops; one finished in time is untouched; a malformed or past deadline
// is a 400 naming metadata.deadline.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <string>

#include "base/clock.h"
#include "grid/cloud_event.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

namespace json = boost::json;

std::string Body(int64_t deadline_ms, int max_tokens, bool stream) {
  return json::serialize(json::object{{"prompt", "Once upon a time"},
                                      {"max_tokens", max_tokens},
                                      {"ignore_eos", true},
                                      {"stream", stream},
                                      {"metadata", json::object{{"deadline", grid::FormatRfc3339(deadline_ms)}}}});
}

TEST(Deadline, ARequestNotFinishedByItsDeadlineEndsWith504AndOneInTimeIsUntouched) {
  std::string error;
  auto server = ServeProcess::Start(ServeOptions{}, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();
  const RawResponse in_time = PostJson(port, "/v1/completions", Body(UnixMillis() + 60000, 8, false));
  EXPECT_EQ(in_time.status, 200) << in_time.body;

  const RawResponse late = PostJson(port, "/v1/completions", Body(UnixMillis() + 100, 2000, false));
  ASSERT_EQ(late.status, 504) << late.body;
  const json::value body = json::parse(late.body);
  EXPECT_NE(std::string(body.at("error").at("message").as_string()).find("deadline"), std::string::npos) << late.body;

  const RawResponse streamed = PostJson(port, "/v1/completions", Body(UnixMillis() + 100, 2000, true));
  ASSERT_EQ(streamed.status, 200);
  EXPECT_NE(streamed.body.find("\"error\""), std::string::npos) << streamed.body.substr(streamed.body.size() - 300);
  EXPECT_NE(streamed.body.find("deadline"), std::string::npos);
  EXPECT_EQ(ReadMetric(port, "tokenfab:num_requests_running").value_or(-1), 0) << "the engine work stopped";
}

TEST(Deadline, AMalformedOrPastDeadlineIsA400NamingIt) {
  std::string error;
  auto server = ServeProcess::Start(ServeOptions{}, &error);
  ASSERT_NE(server, nullptr) << error;
  for (const std::string& metadata :
       {std::string(R"({"deadline":"tomorrow"})"), std::string(R"({"deadline":"2020-01-01T00:00:00Z"})"),
        std::string(R"({"deadline":5})")}) {
    const RawResponse r = PostJson(server->port(), "/v1/completions",
                                   R"({"prompt":"x","max_tokens":2,"metadata":)" + metadata + "}");
    EXPECT_EQ(r.status, 400) << metadata << " " << r.body;
    EXPECT_NE(r.body.find("metadata"), std::string::npos) << r.body;
  }
}

}  // namespace
}  // namespace fab::http_test
