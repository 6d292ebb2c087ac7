#include "server/routes.h"

#include <gtest/gtest.h>

#include "tokenizer/utf8.h"

namespace fab::server {
namespace {

TEST(MatchRoute, FindsEveryRouteWithItsMethod) {
  EXPECT_EQ(MatchRoute("POST", "/v1/completions").value(), ApiRoute::kCompletions);
  EXPECT_EQ(MatchRoute("POST", "/v1/chat/completions").value(), ApiRoute::kChatCompletions);
  EXPECT_EQ(MatchRoute("GET", "/v1/models").value(), ApiRoute::kModels);
  EXPECT_EQ(MatchRoute("POST", "/tokenize").value(), ApiRoute::kTokenize);
  EXPECT_EQ(MatchRoute("POST", "/detokenize").value(), ApiRoute::kDetokenize);
  EXPECT_EQ(MatchRoute("GET", "/health").value(), ApiRoute::kHealth);
  EXPECT_EQ(MatchRoute("GET", "/ready").value(), ApiRoute::kReady);
  EXPECT_EQ(MatchRoute("GET", "/metrics").value(), ApiRoute::kMetrics);
}

TEST(MatchRoute, IgnoresTheQueryStringAndAnswersHeadLikeGet) {
  EXPECT_EQ(MatchRoute("GET", "/v1/models?limit=1").value(), ApiRoute::kModels);
  EXPECT_EQ(MatchRoute("HEAD", "/health").value(), ApiRoute::kHealth);
}

TEST(MatchRoute, AnswersAWrongMethodOnAKnownPathWith405) {
  const auto result = MatchRoute("GET", "/v1/completions");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().http_status, 405);
  EXPECT_EQ(result.error().allow, "POST");
  EXPECT_EQ(MatchRoute("POST", "/health").error().allow, "GET, HEAD");
  EXPECT_EQ(RouteMethod(ApiRoute::kCompletions), "POST");
  EXPECT_EQ(MatchRoute("DELETE", "/v1/models").error().http_status, 405);
  EXPECT_EQ(MatchRoute("HEAD", "/v1/chat/completions").error().http_status, 405);
}

TEST(MatchRoute, AnswersUnknownPathsWith404) {
  for (const char* target : {"/", "/v1", "/v1/completions/", "/v1/engines", "/V1/completions",
                             "/v1/chat/completions/x", "//v1/completions"}) {
    const auto result = MatchRoute("POST", target);
    ASSERT_FALSE(result.ok()) << target;
    EXPECT_EQ(result.error().http_status, 404) << target;
  }
}

TEST(MatchRoute, QuotesAtMostTwoHundredBytesOfAHostileTarget) {
  const auto result = MatchRoute("GET", "/" + std::string(100000, 'x'));
  ASSERT_FALSE(result.ok());
  EXPECT_LT(result.error().message.size(), 300u);
}

TEST(MatchRoute, KeepsTheErrorBodyValidUtf8WhenTheTargetIsNot) {
  const auto result = MatchRoute("GET", "/caf\xC3");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(IsValidUtf8(ErrorBody(result.error())));
}

TEST(CheckJsonContentType, AcceptsJsonWithAnyCaseAndAUtf8Charset) {
  for (const char* type : {"application/json", "Application/JSON", "application/json; charset=utf-8",
                           "application/json;charset=\"UTF-8\"", " application/json ; foo=bar"}) {
    EXPECT_FALSE(CheckJsonContentType(type).has_value()) << type;
  }
}

TEST(CheckJsonContentType, Answers415ForOtherTypesCharsetsOrNone) {
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                           "application/jsonx", "application/json; charset=latin1"}) {
    const std::optional<ApiError> error = CheckJsonContentType(type);
    ASSERT_TRUE(error.has_value()) << type;
    EXPECT_EQ(error->http_status, 415) << type;
  }
}

}  // namespace
}  // namespace fab::server
