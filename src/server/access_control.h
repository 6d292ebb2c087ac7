// Access control, decided before a request is routed: API keys never
// travel in the URL (400 whatever the route); with authentication on, every
// path outside the operator's public list needs "Authorization: Bearer
// KEY" (401 invalid_api_key otherwise) and admin routes need an admin key
// (403). Public paths match exactly, after the query string is cut, so
// "/v1//models", "/v1/./models" or "%2e%2e" never reach a public route's
// handler without a key. Thread-safe (the authenticator locks).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/authenticator.h"
#include "server/api_result.h"
#include "server/http_exchange.h"

namespace fab::server {

// The routes open without a key unless the operator says otherwise.
inline const std::vector<std::string> kDefaultPublicRoutes = {"/health", "/ready"};

// Who sent a request: nullopt principal when authentication is off or the
// route is public.
struct Caller {
  std::optional<control::Principal> principal;
};

struct AccessOptions {
  control::Authenticator* authenticator = nullptr;  // null: authentication off; else outlives AccessControl
  std::vector<std::string> public_routes = kDefaultPublicRoutes;
};

class AccessControl {
 public:
  AccessControl() = default;
  explicit AccessControl(AccessOptions options) : options_(std::move(options)) {}

  bool enabled() const { return options_.authenticator != nullptr; }

  // The caller of `request`, or the error to answer with: 400 for a key in
  // the query string, 401 for a missing or bad key on a non-public path,
  // 503 when the books cannot be read.
  ApiResult<Caller> Admit(const HttpRequest& request) const;

  // After a change to keys or policies made in this process.
  void ForgetCachedKeys() const {
    if (options_.authenticator != nullptr) options_.authenticator->ForgetCachedKeys();
  }

 private:
  AccessOptions options_;
};

// 400 when the query string of `target` carries a credential: a parameter
// named api_key, api-key, key, access_token, token or authorization (any
// case), or any value that starts with the key prefix "tf-".
std::optional<ApiError> CheckNoCredentialsInQuery(std::string_view target);

// 403 unless `caller` may use the admin API.
std::optional<ApiError> CheckAdmin(const Caller& caller);

// 403 unless `caller`'s policy allows the model `model`.
std::optional<ApiError> CheckModelAllowed(const Caller& caller, const std::string& model);

// Checks a --public-route value: an absolute path without a query,
// "//", "/./", "/../" or '%'.
Status CheckPublicRoute(const std::string& path);

}  // namespace fab::server
