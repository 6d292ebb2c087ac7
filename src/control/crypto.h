// The cryptographic primitives of the control plane, over OpenSSL 3:
// random bytes from the OS generator, HMAC-SHA256, SHA-256, constant-time
// comparison and the text encodings keys and digests are stored in. Pure
// functions, thread-safe. Failures of the OS generator are Status errors.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace fab::control {

using Sha256Digest = std::array<uint8_t, 32>;

// `n_bytes` cryptographically strong random bytes (RAND_bytes); Internal
// when the generator fails.
StatusOr<std::string> RandomBytes(size_t n_bytes);

// HMAC-SHA256(key, message).
Sha256Digest HmacSha256(std::string_view key, std::string_view message);
Sha256Digest Sha256(std::string_view message);

// True when a and b hold the same bytes; time depends only on the sizes.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Lowercase hex, two digits a byte.
std::string HexEncode(std::string_view bytes);
std::string HexEncode(const Sha256Digest& digest);

// Base62 (0-9, A-Z, a-z) of the big-endian number `bytes`, left-padded with
// '0' to the length of the largest number of that many bytes: 32 bytes → 43
// characters, so every encoding of one length has one width.
std::string Base62Encode(std::string_view bytes);

}  // namespace fab::control
