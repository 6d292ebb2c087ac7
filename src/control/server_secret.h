// The server secret: the HMAC key under which API keys are stored (only
// their digests reach the database) and the audit chain is sealed. Servers
// and CLI commands that share a database must share this file. Format: at
// least 32 bytes (the file is created with 64 random hex digits and a
// newline; surrounding whitespace is ignored). The file must be a regular
// file that neither group nor others may read or write (mode 0600 or
// stricter), like an ssh private key.
#pragma once

#include <string>

#include "base/status.h"

namespace fab::control {

inline constexpr size_t kMinSecretBytes = 32;
inline constexpr size_t kMaxSecretFileBytes = 4096;

struct ServerSecret {
  std::string path;
  std::string key;  // the trimmed file contents; never logged
};

// Reads `path`; when it does not exist, creates it (and its parent
// directory, mode 0700) with a new random secret, mode 0600, atomically
// (O_EXCL: two processes racing read the same secret). Errors: a file that
// is not regular, is group/other-accessible, is shorter than
// kMinSecretBytes or longer than kMaxSecretFileBytes, or cannot be read or
// created.
StatusOr<ServerSecret> LoadOrCreateServerSecret(const std::string& path);

}  // namespace fab::control
