#include "grid/jws.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

namespace fab::grid {
namespace {

constexpr size_t kMaxTokenBytes = size_t{256} << 10;
constexpr size_t kEs256SignatureBytes = 64;

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

enum class Algorithm { kEs256, kRs256 };

// The algorithm a key may sign or verify with; InvalidArgument otherwise.
StatusOr<Algorithm> AlgorithmOf(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) < 2048) return InvalidArgumentError("an RSA key for RS256 must have at least 2048 bits");
    return Algorithm::kRs256;
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1 ||
        std::string_view(group) != "prime256v1") {
      return InvalidArgumentError("an EC key for ES256 must be on P-256 (prime256v1)");
    }
    return Algorithm::kEs256;
  }
  return InvalidArgumentError("the key is neither P-256 EC (ES256) nor RSA (RS256)");
}

const char* AlgorithmName(Algorithm algorithm) { return algorithm == Algorithm::kEs256 ? "ES256" : "RS256"; }

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() > 64 * 1024) return InvalidArgumentError(path + " is too large for a PEM key");
  return text.str();
}

// ES256's raw R||S (64 bytes) ↔ the DER ECDSA-Sig-Value OpenSSL uses.
StatusOr<std::string> RawToDer(std::string_view raw) {
  if (raw.size() != kEs256SignatureBytes) return InvalidArgumentError("an ES256 signature must be 64 bytes");
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return InternalError("cannot build an ECDSA signature");
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (length <= 0) return InternalError("cannot encode an ECDSA signature");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

StatusOr<std::string> DerToRaw(const std::string& der) {
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
  if (sig == nullptr) return InternalError("cannot decode an ECDSA signature");
  std::string raw(kEs256SignatureBytes, '\0');
  const bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32) == 32 &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  if (!ok) return InternalError("cannot encode an ES256 signature");
  return raw;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

StatusOr<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return InvalidArgumentError("base64url text has an impossible length");
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    if (c >= '0' && c <= '9') value = c - '0' + 52;
    if (c == '-') value = 62;
    if (c == '_') value = 63;
    if (value < 0) return InvalidArgumentError("base64url text has a character outside its alphabet");
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

struct JwsVerifier::Key {
  PkeyPtr pkey{nullptr, &EVP_PKEY_free};
  Algorithm algorithm = Algorithm::kEs256;
};

StatusOr<JwsVerifier> JwsVerifier::FromPem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  auto key = std::make_shared<Key>();
  key->pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key->pkey == nullptr) return InvalidArgumentError("not a PEM public key");
  FAB_ASSIGN_OR_RETURN(key->algorithm, AlgorithmOf(key->pkey.get()));
  return JwsVerifier(std::move(key));
}

StatusOr<JwsVerifier> JwsVerifier::FromPemFile(const std::string& path) {
  FAB_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  StatusOr<JwsVerifier> verifier = FromPem(pem);
  if (!verifier.ok()) return verifier.status().WithContext(path);
  return verifier;
}

const char* JwsVerifier::algorithm() const { return AlgorithmName(key_->algorithm); }

StatusOr<std::string> JwsVerifier::Verify(std::string_view compact) const {
  if (compact.size() > kMaxTokenBytes) return InvalidArgumentError("the JWS is too large");
  const size_t first = compact.find('.');
  const size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) {
    return InvalidArgumentError("a JWS compact serialization has three dot-separated parts");
  }
  FAB_ASSIGN_OR_RETURN(std::string header_text, Base64UrlDecode(compact.substr(0, first)));
  boost::system::error_code error;
  const boost::json::value header = boost::json::parse(header_text, error);
  const boost::json::value* alg = !error && header.is_object() ? header.as_object().if_contains("alg") : nullptr;
  if (alg == nullptr || !alg->is_string()) return InvalidArgumentError("the JWS header names no 'alg'");
  if (alg->as_string() != AlgorithmName(key_->algorithm)) {
    return InvalidArgumentError("the JWS is signed with '" + std::string(alg->as_string()).substr(0, 16) +
                                "'; the key accepts only " + AlgorithmName(key_->algorithm));
  }
  if (header.as_object().contains("crit")) return InvalidArgumentError("the JWS header has critical extensions");
  FAB_ASSIGN_OR_RETURN(std::string signature, Base64UrlDecode(compact.substr(second + 1)));
  if (key_->algorithm == Algorithm::kEs256) {
    FAB_ASSIGN_OR_RETURN(signature, RawToDer(signature));
  }
  const std::string_view signing_input = compact.substr(0, second);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (context == nullptr ||
      EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) != 1) {
    return InvalidArgumentError("the JWS signature does not verify");
  }
  return Base64UrlDecode(compact.substr(first + 1, second - first - 1));
}

struct JwsSigner::Key {
  PkeyPtr pkey{nullptr, &EVP_PKEY_free};
  Algorithm algorithm = Algorithm::kEs256;
};

StatusOr<JwsSigner> JwsSigner::FromPem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  auto key = std::make_shared<Key>();
  key->pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key->pkey == nullptr) return InvalidArgumentError("not a PEM private key");
  FAB_ASSIGN_OR_RETURN(key->algorithm, AlgorithmOf(key->pkey.get()));
  return JwsSigner(std::move(key));
}

StatusOr<std::string> JwsSigner::Sign(std::string_view payload, const std::string& kid) const {
  const std::string header = boost::json::serialize(boost::json::object{{"alg", AlgorithmName(key_->algorithm)}, {"kid", kid}});
  const std::string signing_input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t length = 0;
  if (context == nullptr || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return InternalError("cannot sign");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) != 1) {
    return InternalError("cannot sign");
  }
  signature.resize(length);
  if (key_->algorithm == Algorithm::kEs256) {
    FAB_ASSIGN_OR_RETURN(signature, DerToRaw(signature));
  }
  return signing_input + "." + Base64UrlEncode(signature);
}

}  // namespace fab::grid
