#include "control/tenant_store.h"

#include <chrono>

#include "base/clock.h"
#include "control/api_key.h"
#include "control/audit_log.h"

namespace fab::control {
namespace {

constexpr const char* kKeyColumns =
    "SELECT k.id, k.tenant_id, t.name, k.hint, k.is_admin, k.policy, t.policy, k.created_at_ms, k.expires_at_ms, "
    "k.revoked_at_ms FROM api_keys k JOIN tenants t ON t.id = k.tenant_id";

std::optional<int64_t> OptionalInt(const SqlValue& value) {
  if (SqlIsNull(value)) return std::nullopt;
  return SqlInt(value);
}

// A stored policy that does not parse is corruption of the database.
StatusOr<Policy> StoredPolicy(const SqlValue& value, const std::string& owner) {
  StatusOr<Policy> policy = PolicyFromJson(SqlText(value));
  if (!policy.ok()) return DataLossError("the stored policy of " + owner + " is unreadable: " + policy.status().message());
  return policy;
}

StatusOr<Tenant> TenantFromRow(const SqlRow& row) {
  Tenant tenant;
  tenant.id = SqlText(row[0]);
  tenant.name = SqlText(row[1]);
  FAB_ASSIGN_OR_RETURN(tenant.policy, StoredPolicy(row[2], "tenant " + tenant.name));
  tenant.created_at_ms = SqlInt(row[3]);
  return tenant;
}

StatusOr<ApiKeyRecord> KeyFromRow(const SqlRow& row) {
  ApiKeyRecord key;
  key.id = SqlText(row[0]);
  key.tenant_id = SqlText(row[1]);
  key.tenant_name = SqlText(row[2]);
  key.hint = SqlText(row[3]);
  key.admin = SqlInt(row[4]) != 0;
  FAB_ASSIGN_OR_RETURN(key.policy, StoredPolicy(row[5], "key " + key.id));
  FAB_ASSIGN_OR_RETURN(key.tenant_policy, StoredPolicy(row[6], "tenant " + key.tenant_name));
  key.created_at_ms = SqlInt(row[7]);
  key.expires_at_ms = OptionalInt(row[8]);
  key.revoked_at_ms = OptionalInt(row[9]);
  return key;
}

StatusOr<Tenant> QueryTenant(SqlConnection& connection, const std::string& name) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       connection.Query("SELECT id, name, policy, created_at_ms FROM tenants WHERE name = $1", {name}));
  if (rows.empty()) return NotFoundError("there is no tenant '" + name.substr(0, kMaxTenantNameBytes) + "'");
  return TenantFromRow(rows.front());
}

StatusOr<ApiKeyRecord> QueryKey(SqlConnection& connection, const std::string& key_id) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       connection.Query(std::string(kKeyColumns) + " WHERE k.id = $1", {key_id}));
  if (rows.empty()) return NotFoundError("there is no API key '" + key_id.substr(0, 64) + "'");
  return KeyFromRow(rows.front());
}

}  // namespace

Status CheckTenantName(std::string_view name) {
  const auto valid_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  };
  bool ok = !name.empty() && name.size() <= kMaxTenantNameBytes && name.front() != '.' && name.front() != '_' &&
            name.front() != '-';
  for (const char c : name) ok = ok && valid_char(c);
  if (ok) return OkStatus();
  return InvalidArgumentError("a tenant name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or "
                              "digit");
}

StatusOr<Tenant> TenantStore::CreateTenant(const std::string& name, const std::string& actor) {
  FAB_RETURN_IF_ERROR(CheckTenantName(name));
  FAB_ASSIGN_OR_RETURN(const std::string id, NewTenantId());
  Tenant tenant{id, name, Policy{}, UnixMillis()};
  FAB_RETURN_IF_ERROR(database_.Transaction([&](SqlConnection& connection) -> Status {
    FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> taken,
                         connection.Query("SELECT id FROM tenants WHERE name = $1", {name}));
    if (!taken.empty()) return FailedPreconditionError("the tenant '" + name + "' already exists");
    FAB_RETURN_IF_ERROR(connection.Execute(
        "INSERT INTO tenants (id, name, policy, created_at_ms) VALUES ($1, $2, '{}', $3)",
        {tenant.id, tenant.name, tenant.created_at_ms}));
    return AppendAudit(connection, secret_, {0, 0, actor, "tenant.create", name, "{\"id\":\"" + id + "\"}"});
  }));
  return tenant;
}

StatusOr<std::vector<Tenant>> TenantStore::ListTenants() {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       database_.Query("SELECT id, name, policy, created_at_ms FROM tenants ORDER BY name"));
  std::vector<Tenant> tenants;
  for (const SqlRow& row : rows) {
    FAB_ASSIGN_OR_RETURN(Tenant tenant, TenantFromRow(row));
    tenants.push_back(std::move(tenant));
  }
  return tenants;
}

StatusOr<Tenant> TenantStore::FindTenant(const std::string& name) {
  StatusOr<Tenant> tenant = NotFoundError("");
  FAB_RETURN_IF_ERROR(database_.Transaction(
      [&](SqlConnection& connection) -> Status {
        tenant = QueryTenant(connection, name);
        return OkStatus();
      },
      /*exclusive=*/false));
  return tenant;
}

StatusOr<Tenant> TenantStore::ChangeTenantPolicy(const std::string& name, const std::string& change_json,
                                                 const std::string& actor) {
  Tenant changed;
  FAB_RETURN_IF_ERROR(database_.Transaction([&](SqlConnection& connection) -> Status {
    FAB_ASSIGN_OR_RETURN(changed, QueryTenant(connection, name));
    FAB_ASSIGN_OR_RETURN(changed.policy, ApplyPolicyChange(changed.policy, change_json));
    const std::string policy = PolicyToJson(changed.policy);
    FAB_RETURN_IF_ERROR(connection.Execute("UPDATE tenants SET policy = $1 WHERE id = $2", {policy, changed.id}));
    return AppendAudit(connection, secret_, {0, 0, actor, "tenant.policy", name, policy});
  }));
  return changed;
}

StatusOr<NewKey> TenantStore::CreateKey(const std::string& tenant_name, std::optional<int64_t> expires_at_ms,
                                        bool admin, const std::string& actor) {
  NewKey created;
  FAB_ASSIGN_OR_RETURN(created.key, NewApiKey());
  FAB_ASSIGN_OR_RETURN(const std::string id, NewKeyId());
  const std::string digest = ApiKeyDigest(secret_, created.key);
  FAB_RETURN_IF_ERROR(database_.Transaction([&](SqlConnection& connection) -> Status {
    FAB_ASSIGN_OR_RETURN(const Tenant tenant, QueryTenant(connection, tenant_name));
    const SqlValue expires = expires_at_ms ? SqlValue(*expires_at_ms) : SqlValue();
    FAB_RETURN_IF_ERROR(connection.Execute(
        "INSERT INTO api_keys (id, tenant_id, digest, hint, is_admin, policy, created_at_ms, expires_at_ms) "
        "VALUES ($1, $2, $3, $4, $5, '{}', $6, $7)",
        {id, tenant.id, digest, ApiKeyHint(created.key), int64_t{admin}, UnixMillis(), expires}));
    std::string details = "{\"tenant\":\"" + tenant.name + "\",\"admin\":" + (admin ? "true" : "false");
    if (expires_at_ms) details += ",\"expires_at_ms\":" + std::to_string(*expires_at_ms);
    FAB_RETURN_IF_ERROR(AppendAudit(connection, secret_, {0, 0, actor, "key.create", id, details + "}"}));
    FAB_ASSIGN_OR_RETURN(created.record, QueryKey(connection, id));
    return OkStatus();
  }));
  return created;
}

StatusOr<std::vector<ApiKeyRecord>> TenantStore::ListKeys(const std::optional<std::string>& tenant_name) {
  std::string sql = kKeyColumns;
  SqlParams params;
  if (tenant_name) {
    sql += " WHERE t.name = $1";
    params.push_back(*tenant_name);
  }
  sql += " ORDER BY k.created_at_ms DESC, k.id";
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows, database_.Query(sql, params));
  std::vector<ApiKeyRecord> keys;
  for (const SqlRow& row : rows) {
    FAB_ASSIGN_OR_RETURN(ApiKeyRecord key, KeyFromRow(row));
    keys.push_back(std::move(key));
  }
  return keys;
}

StatusOr<ApiKeyRecord> TenantStore::FindKey(const std::string& key_id) {
  StatusOr<ApiKeyRecord> key = NotFoundError("");
  FAB_RETURN_IF_ERROR(database_.Transaction(
      [&](SqlConnection& connection) -> Status {
        key = QueryKey(connection, key_id);
        return OkStatus();
      },
      /*exclusive=*/false));
  return key;
}

StatusOr<ApiKeyRecord> TenantStore::RevokeKey(const std::string& key_id, const std::string& actor) {
  ApiKeyRecord key;
  FAB_RETURN_IF_ERROR(database_.Transaction([&](SqlConnection& connection) -> Status {
    FAB_ASSIGN_OR_RETURN(key, QueryKey(connection, key_id));
    if (key.revoked_at_ms) return OkStatus();
    key.revoked_at_ms = UnixMillis();
    FAB_RETURN_IF_ERROR(
        connection.Execute("UPDATE api_keys SET revoked_at_ms = $1 WHERE id = $2", {*key.revoked_at_ms, key.id}));
    return AppendAudit(connection, secret_, {0, 0, actor, "key.revoke", key.id, "{\"tenant\":\"" + key.tenant_name + "\"}"});
  }));
  return key;
}

StatusOr<ApiKeyRecord> TenantStore::ChangeKeyPolicy(const std::string& key_id, const std::string& change_json,
                                                    const std::string& actor) {
  ApiKeyRecord key;
  FAB_RETURN_IF_ERROR(database_.Transaction([&](SqlConnection& connection) -> Status {
    FAB_ASSIGN_OR_RETURN(key, QueryKey(connection, key_id));
    FAB_ASSIGN_OR_RETURN(key.policy, ApplyPolicyChange(key.policy, change_json));
    const std::string policy = PolicyToJson(key.policy);
    FAB_RETURN_IF_ERROR(connection.Execute("UPDATE api_keys SET policy = $1 WHERE id = $2", {policy, key.id}));
    return AppendAudit(connection, secret_, {0, 0, actor, "key.policy", key.id, policy});
  }));
  return key;
}

StatusOr<std::optional<ApiKeyRecord>> TenantStore::FindKeyByDigest(const std::string& digest) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       database_.Query(std::string(kKeyColumns) + " WHERE k.digest = $1", {digest}));
  if (rows.empty()) return std::optional<ApiKeyRecord>();
  FAB_ASSIGN_OR_RETURN(ApiKeyRecord key, KeyFromRow(rows.front()));
  return std::optional<ApiKeyRecord>(std::move(key));
}

}  // namespace fab::control
