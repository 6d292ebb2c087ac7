// Authenticator: turns an Authorization header into the Principal it
// names — the key, its tenant and the policy in force (the key's overrides
// over the tenant's) — or an Unauthenticated error that never echoes the
// key. Keys are looked up by their HMAC digest; a found record is cached
// for at most `cache_ttl` (default 500 ms), so a key revoked or a policy
// changed by any process sharing the database takes effect within a
// second. The digest lookup is an index search over HMAC outputs: its
// timing can reveal digest bytes, never key bytes. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "control/tenant_store.h"

namespace fab::control {

struct Principal {
  std::string key_id;
  std::string tenant_id;
  std::string tenant_name;
  bool admin = false;
  Policy policy;         // effective: key over tenant (models, tier)
  Policy tenant_policy;  // limits and budgets counted over the whole tenant
  Policy key_policy;     // limits and budgets counted over this key alone
};

class Authenticator {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kDefaultCacheTtl{500};
  static constexpr size_t kMaxCachedKeys = 65536;

  // `store` and `secret` must outlive the authenticator.
  Authenticator(TenantStore& store, const ServerSecret& secret,
                std::chrono::milliseconds cache_ttl = kDefaultCacheTtl)
      : store_(store), secret_(secret), cache_ttl_(cache_ttl) {}

  // `authorization` is the header's value ("Bearer tf-…"; empty when
  // absent). Unauthenticated for a missing header, another scheme, a value
  // not of the key format, an unknown, revoked or expired key; Unavailable
  // when the database cannot be read.
  StatusOr<Principal> Authenticate(std::string_view authorization);

  // Drops every cached record: a change made through this process (the
  // admin API) takes effect on the next request, not after the TTL.
  void ForgetCachedKeys();

 private:
  struct CachedKey {
    ApiKeyRecord record;
    Clock::time_point fetched;
  };

  StatusOr<ApiKeyRecord> LookUp(const std::string& digest);

  TenantStore& store_;
  const ServerSecret& secret_;
  const std::chrono::milliseconds cache_ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, CachedKey> cache_;  // digest → record; guarded by mutex_
};

}  // namespace fab::control
