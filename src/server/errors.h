// ApiError: the one mapping from failures to what an OpenAI-compatible client
// sees — the HTTP status, an optional Retry-After, and the body
// {"error":{"message":…,"type":…,"param":…|null,"code":…|null}}.
// Every HTTP-facing path builds its error here (DESIGN.md "errors.cc"); no
// other file picks a status number. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace fab::server {

// OpenAI `type` strings.
inline constexpr const char* kInvalidRequestError = "invalid_request_error";
inline constexpr const char* kAuthenticationError = "authentication_error";
inline constexpr const char* kPermissionError = "permission_error";
inline constexpr const char* kInsufficientQuotaError = "insufficient_quota";
inline constexpr const char* kRateLimitError = "rate_limit_error";
inline constexpr const char* kServerError = "server_error";

// Seconds a client is told to wait (Retry-After) when the queue is full.
inline constexpr int kQueueFullRetryAfterSeconds = 1;

struct ApiError {
  int http_status = 500;
  std::string type;
  std::string message;
  std::optional<std::string> param;  // the offending request field, e.g. "messages[2].role"
  std::optional<std::string> code;   // machine-readable detail, e.g. "context_length_exceeded"
  std::optional<int> retry_after_s;  // sent as the Retry-After header when set
  std::optional<std::string> allow;  // 405: the Allow header (the methods the path takes)
  std::vector<std::pair<std::string, std::string>> headers;  // more, e.g. x-ratelimit-* on a 429
};

// The error for a non-OK Status that reached the HTTP layer (OK is a
// programmer error). ResourceExhausted is the engine's full waiting queue:
// 503 with Retry-After; quotas use QuotaExceededError instead.
ApiError ErrorFromStatus(const Status& status);

// 400 for a request field that is missing, of the wrong type or out of range.
ApiError InvalidFieldError(std::string param, std::string message);

// HTTP-level cases, before or outside any Status.
ApiError InvalidJsonError(std::string detail);                         // 400
// 400, code context_length_exceeded; `param` is "messages" or "prompt".
ApiError ContextLengthExceededError(std::string param, int64_t n_prompt_tokens,
                                    int64_t n_max_tokens, int64_t n_context);
ApiError UnauthenticatedError(std::string message);                    // 401, code invalid_api_key
ApiError PermissionDeniedError(std::string message);                   // 403
ApiError ModelNotFoundError(const std::string& model);                 // 404, param model, code model_not_found
ApiError UnknownPathError(const std::string& method, const std::string& path);  // 404
// 405 with Allow: `allowed` (e.g. "POST").
ApiError MethodNotAllowedError(const std::string& method, const std::string& path, const std::string& allowed);
ApiError ConflictError(std::string message);                            // 409
ApiError BodyTooLargeError(size_t n_max_bytes);                        // 413
ApiError UnsupportedContentTypeError(const std::string& content_type); // 415
ApiError QuotaExceededError(std::string message);                      // 429, code insufficient_quota
ApiError RateLimitedError(std::string message, int retry_after_s);     // 429, Retry-After
ApiError HeadersTooLargeError(size_t n_max_bytes);                     // 431
ApiError QueueFullError(std::string message);                          // 503, Retry-After
ApiError DeadlineExceededError(std::string message);                   // 504

// The OpenAI error body, compact JSON: {"error":{"message","type","param","code"}}
// with null for an absent param or code.
std::string ErrorBody(const ApiError& error);

}  // namespace fab::server
