#include "control/authenticator.h"

#include "base/clock.h"
#include "control/api_key.h"

namespace fab::control {
namespace {

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

}  // namespace

StatusOr<Principal> Authenticator::Authenticate(std::string_view authorization) {
  if (authorization.empty()) {
    return UnauthenticatedError("missing API key: send it as 'Authorization: Bearer KEY'");
  }
  if (!StartsWithIgnoringCase(authorization, "Bearer ")) {
    return UnauthenticatedError("the Authorization header must be 'Bearer KEY'");
  }
  std::string_view key = authorization.substr(7);
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  if (!LooksLikeApiKey(key)) return UnauthenticatedError("incorrect API key provided");
  FAB_ASSIGN_OR_RETURN(const ApiKeyRecord record, LookUp(ApiKeyDigest(secret_, key)));
  if (record.revoked_at_ms) return UnauthenticatedError("the API key " + record.id + " was revoked");
  if (record.expires_at_ms && *record.expires_at_ms <= UnixMillis()) {
    return UnauthenticatedError("the API key " + record.id + " has expired");
  }
  return Principal{record.id,       record.tenant_id, record.tenant_name, record.admin, record.EffectivePolicy(),
                   record.tenant_policy, record.policy};
}

void Authenticator::ForgetCachedKeys() {
  std::lock_guard<std::mutex> lock(mutex_);
  cache_.clear();
}

StatusOr<ApiKeyRecord> Authenticator::LookUp(const std::string& digest) {
  const Clock::time_point now = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(digest);
    if (it != cache_.end() && now - it->second.fetched < cache_ttl_) return it->second.record;
  }
  StatusOr<std::optional<ApiKeyRecord>> found = store_.FindKeyByDigest(digest);
  if (!found.ok()) return UnavailableError("cannot check the API key: " + found.status().message());
  if (!found->has_value()) return UnauthenticatedError("incorrect API key provided");
  std::lock_guard<std::mutex> lock(mutex_);
  if (cache_.size() >= kMaxCachedKeys) cache_.clear();
  cache_[digest] = CachedKey{**found, now};
  return **found;
}

}  // namespace fab::control
