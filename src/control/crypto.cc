#include "control/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cmath>
#include <vector>

namespace fab::control {

StatusOr<std::string> RandomBytes(size_t n_bytes) {
  std::string bytes(n_bytes, '\0');
  if (n_bytes > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n_bytes)) != 1) {
    return InternalError("the system's random generator failed (RAND_bytes)");
  }
  return bytes;
}

Sha256Digest HmacSha256(std::string_view key, std::string_view message) {
  Sha256Digest digest{};
  unsigned int n_written = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), digest.data(), &n_written);
  FAB_CHECK(ok != nullptr && n_written == digest.size()) << "HMAC-SHA256 failed";
  return digest;
}

Sha256Digest Sha256(std::string_view message) {
  Sha256Digest digest{};
  SHA256(reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data());
  return digest;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<uint8_t>(c);
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 15]);
  }
  return hex;
}

std::string HexEncode(const Sha256Digest& digest) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string Base62Encode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // Repeated division of the big-endian number by 62.
  std::vector<uint8_t> number(bytes.begin(), bytes.end());
  std::string reversed;
  bool nonzero = true;
  while (nonzero) {
    nonzero = false;
    uint32_t remainder = 0;
    for (uint8_t& digit : number) {
      const uint32_t value = remainder * 256 + digit;
      digit = static_cast<uint8_t>(value / 62);
      remainder = value % 62;
      nonzero = nonzero || digit != 0;
    }
    reversed.push_back(kDigits[remainder]);
  }
  const auto width = static_cast<size_t>(std::ceil(static_cast<double>(bytes.size()) * 8.0 / std::log2(62.0)));
  while (reversed.size() < width) reversed.push_back('0');
  return std::string(reversed.rbegin(), reversed.rend());
}

}  // namespace fab::control
