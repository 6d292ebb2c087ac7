// API keys as text: the secret a client sends ("tf-" + base62 of 32 random
// bytes, 46 characters), the digest the database holds instead
// (HMAC-SHA256 under the server secret, hex), the hint a listing may show
// ("tf-…" + the last 4 characters) and the public ids of keys and tenants.
// Pure functions except the random ones; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "control/server_secret.h"

namespace fab::control {

inline constexpr std::string_view kApiKeyPrefix = "tf-";
inline constexpr size_t kApiKeyRandomBytes = 32;
inline constexpr size_t kApiKeyLength = 46;  // prefix + 43 base62 digits

StatusOr<std::string> NewApiKey();
// "key_" / "ten_" + 16 random hex digits.
StatusOr<std::string> NewKeyId();
StatusOr<std::string> NewTenantId();

// True for text of the key format (prefix, length, alphabet); says nothing
// about whether such a key exists.
bool LooksLikeApiKey(std::string_view text);

// Hex HMAC-SHA256 of `key` under the server secret.
std::string ApiKeyDigest(const ServerSecret& secret, std::string_view key);

std::string ApiKeyHint(std::string_view key);

// "90s", "15m", "12h", "30d", "2w" → seconds; InvalidArgument otherwise or
// when beyond 100 years.
StatusOr<int64_t> ParseDurationSeconds(std::string_view text);

}  // namespace fab::control
