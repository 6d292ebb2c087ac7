#include "control/api_key.h"

#include <charconv>

#include "control/crypto.h"

namespace fab::control {
namespace {

bool IsBase62(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

StatusOr<std::string> NewId(std::string_view prefix) {
  FAB_ASSIGN_OR_RETURN(const std::string random, RandomBytes(8));
  return std::string(prefix) + HexEncode(random);
}

}  // namespace

StatusOr<std::string> NewApiKey() {
  FAB_ASSIGN_OR_RETURN(const std::string random, RandomBytes(kApiKeyRandomBytes));
  std::string key = std::string(kApiKeyPrefix) + Base62Encode(random);
  FAB_CHECK(key.size() == kApiKeyLength) << key.size();
  return key;
}

StatusOr<std::string> NewKeyId() { return NewId("key_"); }
StatusOr<std::string> NewTenantId() { return NewId("ten_"); }

bool LooksLikeApiKey(std::string_view text) {
  if (text.size() != kApiKeyLength || text.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
  for (const char c : text.substr(kApiKeyPrefix.size())) {
    if (!IsBase62(c)) return false;
  }
  return true;
}

std::string ApiKeyDigest(const ServerSecret& secret, std::string_view key) {
  return HexEncode(HmacSha256(secret.key, key));
}

std::string ApiKeyHint(std::string_view key) {
  return std::string(kApiKeyPrefix) + "…" + std::string(key.substr(key.size() >= 4 ? key.size() - 4 : 0));
}

StatusOr<int64_t> ParseDurationSeconds(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgumentError("'" + std::string(text.substr(0, 64)) +
                                "' is not a duration: use a whole number and a unit, s, m, h, d or w (30d)");
  };
  if (text.size() < 2) return bad();
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return bad();
  }
  int64_t count = 0;
  const std::string_view digits = text.substr(0, text.size() - 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (ec != std::errc() || end != digits.data() + digits.size() || count <= 0) return bad();
  constexpr int64_t kMaxSeconds = int64_t{100} * 366 * 86400;
  if (count > kMaxSeconds / unit) return InvalidArgumentError("a duration longer than 100 years");
  return count * unit;
}

}  // namespace fab::control
