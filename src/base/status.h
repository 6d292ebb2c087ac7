// Status and StatusOr<T>: the error values that cross module boundaries.
// Anything that can fail because of outside input (file bytes, arguments,
// requests) returns one of these; programmer errors use FAB_CHECK instead.
// They are the public API's tokenfab::Status (include/tokenfab/status.h),
// named into fab, plus the constructors and macros the engine uses inside.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "base/check.h"
#include "tokenfab/status.h"

namespace fab {

using tokenfab::Status;
using tokenfab::StatusCode;
using tokenfab::StatusCodeName;
using tokenfab::StatusOr;

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
Status UnauthenticatedError(std::string message);
Status PermissionDeniedError(std::string message);
Status DeadlineExceededError(std::string message);

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
