// JWS compact serialization (RFC 7515) as DSX Flex signs event `data`:
// BASE64URL(header).BASE64URL(payload).BASE64URL(signature), header
// {"alg": "ES256" | "RS256", "kid": …}. A verifier holds one public key (PEM)
// and accepts only the algorithm of its kind (ES256 for a P-256 key, RS256
// for RSA): "none", HS*, other curves and an alg that does not match the key
// are refused, so a token cannot pick how it is checked. The signer is for
// tests and tools that publish signed events. OpenSSL 3; thread-safe
// (const use of the key).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace fab::grid {

// Base64url without padding (RFC 7515 §2), and back (nullopt-free: an
// InvalidArgument for a character outside the alphabet or a bad length).
std::string Base64UrlEncode(std::string_view bytes);
StatusOr<std::string> Base64UrlDecode(std::string_view text);

class JwsVerifier {
 public:
  // InvalidArgument for PEM that is not a P-256 EC or an RSA (≥ 2048-bit) public key.
  static StatusOr<JwsVerifier> FromPem(std::string_view pem);
  static StatusOr<JwsVerifier> FromPemFile(const std::string& path);

  // The payload bytes of a valid token; InvalidArgument (never the key or
  // the token) when the token is malformed, names another algorithm, or its
  // signature does not verify.
  StatusOr<std::string> Verify(std::string_view compact) const;

  const char* algorithm() const;  // "ES256" or "RS256"

 private:
  struct Key;
  explicit JwsVerifier(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};

class JwsSigner {
 public:
  // A P-256 EC or RSA private key in PEM.
  static StatusOr<JwsSigner> FromPem(std::string_view pem);

  // The compact token over `payload`, header {"alg", "kid"}.
  StatusOr<std::string> Sign(std::string_view payload, const std::string& kid) const;

 private:
  struct Key;
  explicit JwsSigner(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};

}  // namespace fab::grid
