// The bodies of the admin API (/admin/v1/…), parsed and checked before the
// books see them: a closed set of fields each, bounded sizes, and a 400
// naming the field for anything else. Policies travel as the JSON change
// of control/policy.h (null removes a field). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/api_result.h"

namespace fab::server {

// POST /admin/v1/tenants {"name": "acme", "policy": {…}?}
struct TenantCreateBody {
  std::string name;
  std::optional<std::string> policy_change;  // compact JSON of "policy"
};
ApiResult<TenantCreateBody> ParseTenantCreateBody(std::string_view body);

// PATCH /admin/v1/tenants/{name} and /admin/v1/keys/{id} {"policy": {…}}
ApiResult<std::string> ParsePolicyPatchBody(std::string_view body);

// POST /admin/v1/keys {"tenant": "acme", "expires_in": "30d"?, "admin": false?}
struct KeyCreateBody {
  std::string tenant;
  std::optional<std::string> expires_in;
  bool admin = false;
};
ApiResult<KeyCreateBody> ParseKeyCreateBody(std::string_view body);

}  // namespace fab::server
