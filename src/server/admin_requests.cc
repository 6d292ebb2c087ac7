#include "server/admin_requests.h"

#include <boost/json.hpp>

#include <initializer_list>

namespace fab::server {
namespace {

namespace json = boost::json;

constexpr size_t kMaxAdminBodyBytes = 64 * 1024;

ApiResult<json::object> ParseObject(std::string_view body, std::initializer_list<std::string_view> fields) {
  if (body.size() > kMaxAdminBodyBytes) return BodyTooLargeError(kMaxAdminBodyBytes);
  boost::system::error_code error;
  json::parse_options options;
  options.max_depth = 8;
  json::value parsed = json::parse(body, error, {}, options);
  if (error) return InvalidJsonError(error.message());
  if (!parsed.is_object()) return InvalidFieldError("body", "must be a JSON object");
  for (const auto& [key, value] : parsed.as_object()) {
    bool known = false;
    for (std::string_view field : fields) known = known || key == field;
    if (!known) return InvalidFieldError(std::string(key.substr(0, 64)), "is not a field of this request");
  }
  return std::move(parsed.as_object());
}

ApiResult<std::optional<std::string>> OptionalString(const json::object& object, std::string_view field) {
  const json::value* value = object.if_contains(field);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string() || value->as_string().size() > 1024) {
    return InvalidFieldError(std::string(field), "must be a string of at most 1024 bytes");
  }
  return std::optional<std::string>(std::string(value->as_string()));
}

ApiResult<std::optional<std::string>> OptionalPolicy(const json::object& object) {
  const json::value* value = object.if_contains("policy");
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_object()) return InvalidFieldError("policy", "must be an object of policy fields");
  return std::optional<std::string>(json::serialize(*value));
}

}  // namespace

ApiResult<TenantCreateBody> ParseTenantCreateBody(std::string_view body) {
  ApiResult<json::object> object = ParseObject(body, {"name", "policy"});
  if (!object.ok()) return object.error();
  TenantCreateBody parsed;
  ApiResult<std::optional<std::string>> name = OptionalString(object.value(), "name");
  if (!name.ok()) return name.error();
  if (!name.value()) return InvalidFieldError("name", "is required");
  parsed.name = *name.value();
  ApiResult<std::optional<std::string>> policy = OptionalPolicy(object.value());
  if (!policy.ok()) return policy.error();
  parsed.policy_change = policy.value();
  return parsed;
}

ApiResult<std::string> ParsePolicyPatchBody(std::string_view body) {
  ApiResult<json::object> object = ParseObject(body, {"policy"});
  if (!object.ok()) return object.error();
  ApiResult<std::optional<std::string>> policy = OptionalPolicy(object.value());
  if (!policy.ok()) return policy.error();
  if (!policy.value()) return InvalidFieldError("policy", "is required");
  return *policy.value();
}

ApiResult<KeyCreateBody> ParseKeyCreateBody(std::string_view body) {
  ApiResult<json::object> object = ParseObject(body, {"tenant", "expires_in", "admin"});
  if (!object.ok()) return object.error();
  KeyCreateBody parsed;
  ApiResult<std::optional<std::string>> tenant = OptionalString(object.value(), "tenant");
  if (!tenant.ok()) return tenant.error();
  if (!tenant.value()) return InvalidFieldError("tenant", "is required");
  parsed.tenant = *tenant.value();
  ApiResult<std::optional<std::string>> expires = OptionalString(object.value(), "expires_in");
  if (!expires.ok()) return expires.error();
  parsed.expires_in = expires.value();
  if (const json::value* admin = object.value().if_contains("admin")) {
    if (!admin->is_bool()) return InvalidFieldError("admin", "must be true or false");
    parsed.admin = admin->as_bool();
  }
  return parsed;
}

}  // namespace fab::server
