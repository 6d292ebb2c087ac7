// tokenfab::Status and StatusOr<T>: how every fallible call of tokenfab, the
// public API and the engine inside alike, reports failure. There is one
// definition: the engine's own fab::Status is this type, so the codes an
// embedder sees are exactly those inside. No exceptions cross the API.
// Thread-safety: plain values, safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace tokenfab {

// Stable values: the C API (tokenfab.h, TF_*) returns the same numbers.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument = 1,    // bad input from the caller (argument, request, file)
  kNotFound = 2,           // a named thing does not exist
  kOutOfRange = 3,         // a value is outside its allowed range
  kResourceExhausted = 4,  // a cap or quota was hit
  kFailedPrecondition = 5, // the system is not in a state to do this
  kDataLoss = 6,           // a file is corrupt or truncated
  kUnimplemented = 7,      // valid input we do not support (yet)
  kUnavailable = 8,        // try again later
  kInternal = 9,           // a bug or an OS failure
  kUnauthenticated = 10,   // no valid credentials (a missing, unknown, revoked or expired key)
  kPermissionDenied = 11,  // valid credentials that may not do this
  kDeadlineExceeded = 12,  // a deadline passed before the work finished
};

// "OK", "INVALID_ARGUMENT", ...
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

namespace internal {
// Aborts with `what` and the status: a programmer error (value() on an
// error, or a StatusOr made from an OK status without a value).
[[noreturn]] void StatusOrMisuse(const char* what, const Status& status);
}  // namespace internal

// Either a value or a non-OK Status. Accessing value() on an error aborts
// (a programmer error, never a consequence of input).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : status_(status) { CheckNotOk(); }        // NOLINT(implicit)
  StatusOr(Status&& status) : status_(std::move(status)) { CheckNotOk(); }  // NOLINT(implicit)
  StatusOr(const T& value) : value_(value) {}                               // NOLINT(implicit)
  StatusOr(T&& value) : value_(std::move(value)) {}                         // NOLINT(implicit)

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
  void CheckNotOk() const {
    if (status_.ok()) internal::StatusOrMisuse("StatusOr built from an OK status without a value", status_);
  }
  void CheckHasValue() const {
    if (!ok()) internal::StatusOrMisuse("value() on error", status_);
  }
  Status status_;
  std::optional<T> value_;
};

}  // namespace tokenfab
