// Status and StatusOr<T>: the error values that cross module boundaries.
// Anything that can fail because of outside input (file bytes, arguments,
// requests) returns one of these; programmer errors use FAB_CHECK instead.
// Thread-safety: plain values, safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "base/check.h"

namespace fab {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input from the caller (argument, request, file)
  kNotFound,           // a named thing does not exist
  kOutOfRange,         // a value is outside its allowed range
  kResourceExhausted,  // a cap or quota was hit
  kFailedPrecondition, // the system is not in a state to do this
  kDataLoss,           // a file is corrupt or truncated
  kUnimplemented,      // valid input we do not support (yet)
  kUnavailable,        // try again later
  kInternal,           // a bug or an OS failure
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: message"
  std::string ToString() const;
  // Returns a copy whose message is "context: message".
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status OutOfRangeError(std::string message);
Status ResourceExhaustedError(std::string message);
Status FailedPreconditionError(std::string message);
Status DataLossError(std::string message);
Status UnimplementedError(std::string message);
Status UnavailableError(std::string message);
Status InternalError(std::string message);

// Either a value or a non-OK Status. Accessing value() on an error is a
// programmer error (checked).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : status_(status) {  // NOLINT(implicit)
    FAB_CHECK(!status_.ok()) << "StatusOr built from an OK status without a value";
  }
  StatusOr(Status&& status) : status_(std::move(status)) {  // NOLINT(implicit)
    FAB_CHECK(!status_.ok()) << "StatusOr built from an OK status without a value";
  }
  StatusOr(const T& value) : value_(value) {}         // NOLINT(implicit)
  StatusOr(T&& value) : value_(std::move(value)) {}   // NOLINT(implicit)

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { CheckHasValue(); return *value_; }
  const T& value() const& { CheckHasValue(); return *value_; }
  T&& value() && { CheckHasValue(); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void CheckHasValue() const { FAB_CHECK(ok()) << "value() on error: " << status_.ToString(); }
  Status status_;
  std::optional<T> value_;
};

}  // namespace fab

#define FAB_STATUS_CONCAT_INNER(a, b) a##b
#define FAB_STATUS_CONCAT(a, b) FAB_STATUS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define FAB_RETURN_IF_ERROR(expr)                 \
  do {                                            \
    ::fab::Status fab_status_tmp_ = (expr);       \
    if (!fab_status_tmp_.ok()) return fab_status_tmp_; \
  } while (0)

// `lhs = value of expr` or return its Status. lhs may be a declaration.
#define FAB_ASSIGN_OR_RETURN(lhs, expr) \
  FAB_ASSIGN_OR_RETURN_IMPL(FAB_STATUS_CONCAT(fab_statusor_, __LINE__), lhs, expr)
#define FAB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
