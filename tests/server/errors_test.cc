#include "server/errors.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace fab::server {
namespace {

TEST(ErrorBody, WritesTheOpenAiShapeWithNullsForAbsentParamAndCode) {
  ApiError error;
  error.http_status = 500;
  error.type = "server_error";
  error.message = "boom";
  EXPECT_EQ(ErrorBody(error),
            R"({"error":{"message":"boom","type":"server_error","param":null,"code":null}})");
}

TEST(ErrorBody, WritesParamAndCodeWhenPresentAndEscapesTheMessage) {
  ApiError error = InvalidFieldError("messages[0].role", "bad \"role\"\n");
  error.code.emplace("queue_full");
  EXPECT_EQ(ErrorBody(error),
            R"({"error":{"message":"bad \"role\"\n","type":"invalid_request_error",)"
            R"("param":"messages[0].role","code":"queue_full"}})");
}

struct StatusCase {
  Status status;
  int http_status;
  const char* type;
  bool has_retry_after;
};

TEST(ErrorFromStatus, MapsEveryStatusCodeToOneHttpStatusAndType) {
  const StatusCase cases[] = {
      {InvalidArgumentError("m"), 400, kInvalidRequestError, false},
      {OutOfRangeError("m"), 400, kInvalidRequestError, false},
      {FailedPreconditionError("m"), 400, kInvalidRequestError, false},
      {NotFoundError("m"), 404, kInvalidRequestError, false},
      {ResourceExhaustedError("m"), 503, kServerError, true},
      {UnimplementedError("m"), 501, kInvalidRequestError, false},
      {UnavailableError("m"), 503, kServerError, false},
      {DataLossError("m"), 500, kServerError, false},
      {InternalError("m"), 500, kServerError, false},
      {fab::UnauthenticatedError("m"), 401, kAuthenticationError, false},
      {fab::PermissionDeniedError("m"), 403, kPermissionError, false},
      {fab::DeadlineExceededError("m"), 504, kServerError, false},
  };
  for (const StatusCase& c : cases) {
    SCOPED_TRACE(c.status.ToString());
    const ApiError error = ErrorFromStatus(c.status);
    EXPECT_EQ(error.http_status, c.http_status);
    EXPECT_EQ(error.type, c.type);
    EXPECT_EQ(error.message, "m");
    EXPECT_EQ(error.retry_after_s.has_value(), c.has_retry_after);
    EXPECT_FALSE(error.param.has_value());
  }
}

TEST(ErrorFromStatus, AnswersAnUnauthenticatedCallerWithTheInvalidApiKeyCode) {
  const ApiError error = ErrorFromStatus(fab::UnauthenticatedError("the API key was revoked"));
  EXPECT_EQ(error.http_status, 401);
  EXPECT_EQ(error.code, "invalid_api_key");
  EXPECT_EQ(error.message, "the API key was revoked");
}

TEST(ErrorFromStatus, AnswersAFullQueueWithRetryAfterAndTheQueueFullCode) {
  const ApiError error = ErrorFromStatus(ResourceExhaustedError("the waiting queue is full"));
  EXPECT_EQ(error.http_status, 503);
  EXPECT_EQ(error.code, "queue_full");
  EXPECT_EQ(error.retry_after_s, kQueueFullRetryAfterSeconds);
}

struct HttpCase {
  const char* name;
  ApiError error;
  int http_status;
  const char* type;
  std::optional<std::string> code;
};

TEST(HttpErrors, CarryTheStatusTypeAndCodeOpenAiClientsExpect) {
  const HttpCase cases[] = {
      {"invalid json", InvalidJsonError("syntax error"), 400, kInvalidRequestError, std::nullopt},
      {"context", ContextLengthExceededError("prompt", 4000, 200, 4096), 400, kInvalidRequestError,
       "context_length_exceeded"},
      {"no key", UnauthenticatedError("no API key"), 401, kAuthenticationError, "invalid_api_key"},
      {"forbidden", PermissionDeniedError("not yours"), 403, kPermissionError, std::nullopt},
      {"model", ModelNotFoundError("gpt-9"), 404, kInvalidRequestError, "model_not_found"},
      {"path", UnknownPathError("GET", "/v2/x"), 404, kInvalidRequestError, "unknown_url"},
      {"method", MethodNotAllowedError("GET", "/v1/completions", "POST"), 405, kInvalidRequestError,
       "method_not_allowed"},
      {"body", BodyTooLargeError(1 << 20), 413, kInvalidRequestError, "body_too_large"},
      {"type", UnsupportedContentTypeError("text/plain"), 415, kInvalidRequestError,
       "unsupported_content_type"},
      {"quota", QuotaExceededError("out of tokens"), 429, kInsufficientQuotaError,
       "insufficient_quota"},
      {"rate", RateLimitedError("slow down", 7), 429, kRateLimitError, "rate_limit_exceeded"},
      {"headers", HeadersTooLargeError(8192), 431, kInvalidRequestError, "headers_too_large"},
      {"queue", QueueFullError("full"), 503, kServerError, "queue_full"},
      {"deadline", DeadlineExceededError("too slow"), 504, kServerError, "timeout"},
  };
  for (const HttpCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.error.http_status, c.http_status);
    EXPECT_EQ(c.error.type, c.type);
    EXPECT_EQ(c.error.code, c.code);
    EXPECT_FALSE(c.error.message.empty());
  }
}

TEST(HttpErrors, RateLimitAndQueueFullTellTheClientWhenToRetry) {
  EXPECT_EQ(RateLimitedError("slow down", 7).retry_after_s, 7);
  EXPECT_EQ(QueueFullError("full").retry_after_s, kQueueFullRetryAfterSeconds);
  EXPECT_FALSE(QuotaExceededError("out").retry_after_s.has_value());
}

TEST(HttpErrors, ContextLengthExceededStatesAllThreeNumbers) {
  const ApiError error = ContextLengthExceededError("prompt", 4000, 200, 4096);
  EXPECT_NE(error.message.find("4096"), std::string::npos);
  EXPECT_NE(error.message.find("4000"), std::string::npos);
  EXPECT_NE(error.message.find("200"), std::string::npos);
}

TEST(HttpErrors, ModelNotFoundNamesTheModelParam) {
  const ApiError error = ModelNotFoundError("gpt-9");
  EXPECT_EQ(error.param, "model");
  EXPECT_NE(error.message.find("gpt-9"), std::string::npos);
}

}  // namespace
}  // namespace fab::server
