// ApiResult<T>: a parsed value or the ApiError to answer with — the
// request-parsing counterpart of StatusOr, carrying the HTTP status and the
// offending `param`. Plain value; accessing value() on an error is checked.
#pragma once

#include <optional>
#include <utility>

#include "base/check.h"
#include "server/errors.h"

namespace fab::server {

template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(ApiError error) : error_(std::move(error)) {}  // NOLINT(implicit)
  ApiResult(T value) : value_(std::move(value)) {}         // NOLINT(implicit)

  bool ok() const { return value_.has_value(); }
  const ApiError& error() const {
    FAB_CHECK(!ok()) << "error() on a successful ApiResult";
    return *error_;
  }
  T& value() & { CheckHasValue(); return *value_; }
  const T& value() const& { CheckHasValue(); return *value_; }
  T&& value() && { CheckHasValue(); return std::move(*value_); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void CheckHasValue() const { FAB_CHECK(ok()) << "value() on error: " << error_->message; }
  std::optional<T> value_;
  std::optional<ApiError> error_;
};

}  // namespace fab::server

// Returns the ApiError from the enclosing function when `expr` (an
// std::optional<ApiError>) holds one.
#define FAB_RETURN_IF_API_ERROR(expr)                       \
  do {                                                      \
    std::optional<::fab::server::ApiError> fab_api_error_ = (expr); \
    if (fab_api_error_) return *std::move(fab_api_error_);  \
  } while (0)

// `lhs = value of expr` (an ApiResult) or return its ApiError.
#define FAB_ASSIGN_OR_RETURN_API_ERROR(lhs, expr) \
  FAB_ASSIGN_OR_RETURN_API_ERROR_IMPL(FAB_STATUS_CONCAT(fab_api_result_, __LINE__), lhs, expr)
#define FAB_ASSIGN_OR_RETURN_API_ERROR_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                        \
  if (!tmp.ok()) return tmp.error();                        \
  lhs = std::move(tmp).value()
