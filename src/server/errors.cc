#include "server/errors.h"

#include <boost/json.hpp>

namespace fab::server {
namespace {

ApiError Make(int http_status, const char* type, std::string message,
              std::optional<std::string> code = std::nullopt) {
  ApiError error;
  error.http_status = http_status;
  error.type = type;
  error.message = std::move(message);
  error.code = std::move(code);
  return error;
}

}  // namespace

ApiError ErrorFromStatus(const Status& status) {
  FAB_CHECK(!status.ok()) << "ErrorFromStatus on an OK status";
  std::string message = status.message();
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
    case StatusCode::kFailedPrecondition:
      return Make(400, kInvalidRequestError, std::move(message));
    case StatusCode::kNotFound:
      return Make(404, kInvalidRequestError, std::move(message));
    case StatusCode::kResourceExhausted:
      return QueueFullError(std::move(message));
    case StatusCode::kUnimplemented:
      return Make(501, kInvalidRequestError, std::move(message), "not_implemented");
    case StatusCode::kUnavailable:
      return Make(503, kServerError, std::move(message));
    case StatusCode::kUnauthenticated:
      return UnauthenticatedError(std::move(message));
    case StatusCode::kPermissionDenied:
      return PermissionDeniedError(std::move(message));
    case StatusCode::kDeadlineExceeded:
      return DeadlineExceededError(std::move(message));
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
    case StatusCode::kOk:
      break;
  }
  return Make(500, kServerError, std::move(message));
}

ApiError InvalidFieldError(std::string param, std::string message) {
  ApiError error = Make(400, kInvalidRequestError, std::move(message));
  error.param = std::move(param);
  return error;
}

ApiError InvalidJsonError(std::string detail) {
  return Make(400, kInvalidRequestError, "the request body is not valid JSON: " + detail);
}

ApiError ContextLengthExceededError(std::string param, int64_t n_prompt_tokens,
                                    int64_t n_max_tokens, int64_t n_context) {
  ApiError error = Make(400, kInvalidRequestError,
                        "this model's maximum context length is " + std::to_string(n_context) +
                            " tokens; the request has " + std::to_string(n_prompt_tokens) +
                            " prompt tokens and asks for " + std::to_string(n_max_tokens) +
                            " more",
                        "context_length_exceeded");
  error.param = std::move(param);
  return error;
}

ApiError UnauthenticatedError(std::string message) {
  return Make(401, kAuthenticationError, std::move(message), "invalid_api_key");
}

ApiError PermissionDeniedError(std::string message) {
  return Make(403, kPermissionError, std::move(message));
}

ApiError ModelNotFoundError(const std::string& model) {
  ApiError error =
      Make(404, kInvalidRequestError, "the model '" + model + "' does not exist", "model_not_found");
  error.param = "model";
  return error;
}

ApiError UnknownPathError(const std::string& method, const std::string& path) {
  return Make(404, kInvalidRequestError, "unknown URL (" + method + " " + path + ")", "unknown_url");
}

ApiError MethodNotAllowedError(const std::string& method, const std::string& path, const std::string& allowed) {
  ApiError error = Make(405, kInvalidRequestError, "method " + method + " is not allowed on " + path + " (allowed: " + allowed + ")",
                        "method_not_allowed");
  error.allow = allowed;
  return error;
}

ApiError ConflictError(std::string message) { return Make(409, kInvalidRequestError, std::move(message), "conflict"); }

ApiError BodyTooLargeError(size_t n_max_bytes) {
  return Make(413, kInvalidRequestError,
              "the request body is larger than " + std::to_string(n_max_bytes) + " bytes",
              "body_too_large");
}

ApiError UnsupportedContentTypeError(const std::string& content_type) {
  return Make(415, kInvalidRequestError,
              "content type '" + content_type + "' is not supported; send application/json",
              "unsupported_content_type");
}

ApiError QuotaExceededError(std::string message) {
  return Make(429, kInsufficientQuotaError, std::move(message), "insufficient_quota");
}

ApiError RateLimitedError(std::string message, int retry_after_s) {
  ApiError error = Make(429, kRateLimitError, std::move(message), "rate_limit_exceeded");
  error.retry_after_s = retry_after_s;
  return error;
}

ApiError HeadersTooLargeError(size_t n_max_bytes) {
  return Make(431, kInvalidRequestError,
              "the request headers are larger than " + std::to_string(n_max_bytes) + " bytes",
              "headers_too_large");
}

ApiError QueueFullError(std::string message) {
  ApiError error = Make(503, kServerError, std::move(message), "queue_full");
  error.retry_after_s = kQueueFullRetryAfterSeconds;
  return error;
}

ApiError DeadlineExceededError(std::string message) {
  return Make(504, kServerError, std::move(message), "timeout");
}

std::string ErrorBody(const ApiError& error) {
  boost::json::object inner;
  inner["message"] = error.message;
  inner["type"] = error.type;
  inner["param"] = error.param ? boost::json::value(*error.param) : boost::json::value(nullptr);
  inner["code"] = error.code ? boost::json::value(*error.code) : boost::json::value(nullptr);
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return boost::json::serialize(outer);
}

}  // namespace fab::server
