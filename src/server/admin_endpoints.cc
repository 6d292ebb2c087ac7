#include "server/admin_endpoints.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "control/api_key.h"
#include "control/audit_log.h"
#include "control/books_json.h"
#include "control/usage_report.h"
#include "server/admin_requests.h"

namespace fab::server {
namespace {

namespace json = boost::json;

constexpr std::string_view kPrefix = "/admin/v1/";

HttpResponse Json(const json::value& body, int status = 200) {
  HttpResponse response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

HttpResponse Failure(const Status& status) { return ErrorResponse(ErrorFromStatus(status)); }

// The request's path segments after /admin/v1/ and its query parameters
// (percent-decoded); nullopt for a target that does not parse.
struct AdminTarget {
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> query;

  std::optional<std::string> Param(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
};

std::optional<AdminTarget> ParseTarget(const std::string& target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  const std::string path = parsed->path();
  if (path.rfind(kPrefix, 0) != 0) return std::nullopt;
  AdminTarget out;
  for (auto segment : parsed->segments()) out.segments.emplace_back(segment);
  // Drop "admin", "v1".
  if (out.segments.size() < 2) return std::nullopt;
  out.segments.erase(out.segments.begin(), out.segments.begin() + 2);
  for (auto param : parsed->params()) out.query.emplace_back(param.key, param.has_value ? param.value : "");
  return out;
}

std::string Actor(const Caller& caller) { return "key:" + caller.principal->key_id; }

HttpResponse ListTenants(control::Books& books) {
  StatusOr<std::vector<control::Tenant>> tenants = books.tenants().ListTenants();
  if (!tenants.ok()) return Failure(tenants.status());
  json::array data;
  for (const control::Tenant& t : *tenants) data.push_back(control::TenantJson(t));
  return Json(json::object{{"object", "list"}, {"data", std::move(data)}});
}

HttpResponse CreateTenant(control::Books& books, const Caller& caller, const HttpRequest& request) {
  ApiResult<TenantCreateBody> body = ParseTenantCreateBody(request.body);
  if (!body.ok()) return ErrorResponse(body.error());
  StatusOr<control::Tenant> tenant = books.tenants().CreateTenant(body->name, Actor(caller));
  if (tenant.ok() && body->policy_change) {
    tenant = books.tenants().ChangeTenantPolicy(body->name, *body->policy_change, Actor(caller));
  }
  if (!tenant.ok()) return Failure(tenant.status());
  return Json(control::TenantJson(*tenant), 201);
}

HttpResponse Tenants(control::Books& books, const Caller& caller, const HttpRequest& request,
                     const AdminTarget& target) {
  const std::vector<std::string>& s = target.segments;
  if (s.size() == 1 && request.method == "GET") return ListTenants(books);
  if (s.size() == 1 && request.method == "POST") return CreateTenant(books, caller, request);
  if (s.size() == 2 && request.method == "GET") {
    StatusOr<control::Tenant> tenant = books.tenants().FindTenant(s[1]);
    return tenant.ok() ? Json(control::TenantJson(*tenant)) : Failure(tenant.status());
  }
  if (s.size() == 2 && request.method == "PATCH") {
    ApiResult<std::string> change = ParsePolicyPatchBody(request.body);
    if (!change.ok()) return ErrorResponse(change.error());
    StatusOr<control::Tenant> tenant = books.tenants().ChangeTenantPolicy(s[1], change.value(), Actor(caller));
    return tenant.ok() ? Json(control::TenantJson(*tenant)) : Failure(tenant.status());
  }
  return ErrorResponse(UnknownPathError(request.method, "/admin/v1/tenants/..."));
}

HttpResponse CreateKey(control::Books& books, const Caller& caller, const HttpRequest& request) {
  ApiResult<KeyCreateBody> body = ParseKeyCreateBody(request.body);
  if (!body.ok()) return ErrorResponse(body.error());
  std::optional<int64_t> expires_at_ms;
  if (body->expires_in) {
    StatusOr<int64_t> seconds = control::ParseDurationSeconds(*body->expires_in);
    if (!seconds.ok()) return ErrorResponse(InvalidFieldError("expires_in", seconds.status().message()));
    expires_at_ms = UnixMillis() + *seconds * 1000;
  }
  StatusOr<control::NewKey> key = books.tenants().CreateKey(body->tenant, expires_at_ms, body->admin, Actor(caller));
  if (!key.ok()) return Failure(key.status());
  json::object out = control::KeyJson(key->record);
  out["key"] = key->key;  // shown this once
  return Json(out, 201);
}

HttpResponse Keys(control::Books& books, const Caller& caller, const HttpRequest& request, const AdminTarget& target) {
  const std::vector<std::string>& s = target.segments;
  if (s.size() == 1 && request.method == "GET") {
    StatusOr<std::vector<control::ApiKeyRecord>> keys = books.tenants().ListKeys(target.Param("tenant"));
    if (!keys.ok()) return Failure(keys.status());
    json::array data;
    for (const control::ApiKeyRecord& k : *keys) data.push_back(control::KeyJson(k));
    return Json(json::object{{"object", "list"}, {"data", std::move(data)}});
  }
  if (s.size() == 1 && request.method == "POST") return CreateKey(books, caller, request);
  StatusOr<control::ApiKeyRecord> key = NotFoundError("");
  if (s.size() == 2 && request.method == "GET") {
    key = books.tenants().FindKey(s[1]);
  } else if (s.size() == 2 && request.method == "PATCH") {
    ApiResult<std::string> change = ParsePolicyPatchBody(request.body);
    if (!change.ok()) return ErrorResponse(change.error());
    key = books.tenants().ChangeKeyPolicy(s[1], change.value(), Actor(caller));
  } else if ((s.size() == 2 && request.method == "DELETE") ||
             (s.size() == 3 && s[2] == "revoke" && request.method == "POST")) {
    key = books.tenants().RevokeKey(s[1], Actor(caller));
  } else {
    return ErrorResponse(UnknownPathError(request.method, "/admin/v1/keys/..."));
  }
  return key.ok() ? Json(control::KeyJson(*key)) : Failure(key.status());
}

HttpResponse Usage(control::Books& books, const AdminTarget& target) {
  const int64_t now = UnixMillis();
  StatusOr<int64_t> since = control::ParseSince(target.Param("since").value_or("30d"), now);
  if (!since.ok()) return ErrorResponse(InvalidFieldError("since", since.status().message()));
  StatusOr<std::vector<control::UsageTotals>> report =
      control::QueryUsage(books.database(), target.Param("tenant"), *since, now + 1);
  if (!report.ok()) return Failure(report.status());
  json::array data;
  for (const control::UsageTotals& u : *report) data.push_back(control::UsageJson(u));
  return Json(json::object{{"object", "list"}, {"since", control::UtcTime(*since)}, {"data", std::move(data)}});
}

HttpResponse Audit(control::Books& books, const HttpRequest& request, const AdminTarget& target) {
  if (target.segments.size() == 2 && target.segments[1] == "verify") {
    StatusOr<control::AuditVerdict> verdict = control::VerifyAudit(books.database(), books.secret());
    return verdict.ok() ? Json(control::AuditVerdictJson(*verdict)) : Failure(verdict.status());
  }
  if (target.segments.size() != 1) return ErrorResponse(UnknownPathError(request.method, "/admin/v1/audit/..."));
  int64_t limit = 100;
  if (std::optional<std::string> text = target.Param("limit")) {
    char* end = nullptr;
    limit = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || limit < 1 || limit > 100000) {
      return ErrorResponse(InvalidFieldError("limit", "must be a whole number in [1, 100000]"));
    }
  }
  StatusOr<std::vector<control::AuditEntry>> entries = control::ListAudit(books.database(), limit);
  if (!entries.ok()) return Failure(entries.status());
  json::array data;
  for (const control::AuditEntry& e : *entries) data.push_back(control::AuditJson(e));
  return Json(json::object{{"object", "list"}, {"data", std::move(data)}});
}

}  // namespace

HttpResponse HandleAdmin(control::Books* books, const AccessControl& access, const Caller& caller,
                         const HttpRequest& request) {
  const std::optional<AdminTarget> target = ParseTarget(request.target);
  const std::string path = request.target.substr(0, request.target.find('?')).substr(0, 200);
  if (books == nullptr || !target || target->segments.empty()) {
    return ErrorResponse(UnknownPathError(request.method, path));
  }
  const std::string& collection = target->segments.front();
  const bool reads = request.method == "GET" || request.method == "HEAD";
  if (collection == "tenants" || collection == "keys") {
    HttpResponse response = collection == "tenants" ? Tenants(*books, caller, request, *target)
                                                    : Keys(*books, caller, request, *target);
    if (!reads) access.ForgetCachedKeys();
    return response;
  }
  if (collection == "usage" && reads && target->segments.size() == 1) return Usage(*books, *target);
  if (collection == "audit" && reads) return Audit(*books, request, *target);
  return ErrorResponse(UnknownPathError(request.method, path));
}

}  // namespace fab::server
