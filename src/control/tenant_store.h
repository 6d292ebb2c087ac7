// Tenants and their API keys in the books' database: create, list, change
// policy, create/revoke/expire keys, and find a key by its digest for the
// authenticator. Every change is one exclusive transaction that also
// appends its audit entry (control/audit_log.h). The plaintext key exists
// only in the NewKey returned by CreateKey. Thread-safe (Database locks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/database.h"
#include "control/policy.h"
#include "control/server_secret.h"

namespace fab::control {

inline constexpr size_t kMaxTenantNameBytes = 64;

struct Tenant {
  std::string id;
  std::string name;
  Policy policy;
  int64_t created_at_ms = 0;
};

struct ApiKeyRecord {
  std::string id;
  std::string tenant_id;
  std::string tenant_name;
  std::string hint;  // "tf-…abcd"
  bool admin = false;
  Policy policy;         // the key's overrides only
  Policy tenant_policy;  // its tenant's policy
  int64_t created_at_ms = 0;
  std::optional<int64_t> expires_at_ms;
  std::optional<int64_t> revoked_at_ms;

  Policy EffectivePolicy() const { return Overlay(tenant_policy, policy); }
};

struct NewKey {
  ApiKeyRecord record;
  std::string key;  // the secret, shown once
};

// Tenant names: 1–64 of [A-Za-z0-9._-], starting with a letter or digit.
Status CheckTenantName(std::string_view name);

class TenantStore {
 public:
  // Both must outlive the store.
  TenantStore(Database& database, const ServerSecret& secret) : database_(database), secret_(secret) {}

  // FailedPrecondition when the name is taken.
  StatusOr<Tenant> CreateTenant(const std::string& name, const std::string& actor);
  StatusOr<std::vector<Tenant>> ListTenants();
  // NotFound when there is none.
  StatusOr<Tenant> FindTenant(const std::string& name);
  // Applies a JSON policy change (control/policy.h).
  StatusOr<Tenant> ChangeTenantPolicy(const std::string& name, const std::string& change_json,
                                      const std::string& actor);

  // A key for `tenant_name`, expiring at `expires_at_ms` when set.
  StatusOr<NewKey> CreateKey(const std::string& tenant_name, std::optional<int64_t> expires_at_ms, bool admin,
                             const std::string& actor);
  // Every key, or those of one tenant; newest first.
  StatusOr<std::vector<ApiKeyRecord>> ListKeys(const std::optional<std::string>& tenant_name);
  StatusOr<ApiKeyRecord> FindKey(const std::string& key_id);
  // Revoking a revoked key is OK and changes nothing (no new audit entry).
  StatusOr<ApiKeyRecord> RevokeKey(const std::string& key_id, const std::string& actor);
  StatusOr<ApiKeyRecord> ChangeKeyPolicy(const std::string& key_id, const std::string& change_json,
                                         const std::string& actor);

  // The key whose digest is `digest`, or nullopt.
  StatusOr<std::optional<ApiKeyRecord>> FindKeyByDigest(const std::string& digest);

 private:
  Database& database_;
  const ServerSecret& secret_;
};

}  // namespace fab::control
