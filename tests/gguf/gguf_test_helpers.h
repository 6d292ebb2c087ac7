// Helpers for GGUF reader tests: parse built bytes and report the Status.
#pragma once

#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "gguf/gguf_file.h"
#include "gguf_bytes_builder.h"

namespace fab::testing {

// The Status of parsing exactly these bytes (copied to a buffer of exactly
// their size, so sanitizers catch any read past the end).
inline Status ParseStatus(const std::vector<uint8_t>& bytes, const GgufLimits& limits = {}) {
  std::vector<uint8_t> exact(bytes.begin(), bytes.end());
  exact.shrink_to_fit();
  StatusOr<GgufFile> file = GgufFile::Parse(exact.data(), exact.size(), limits);
  return file.ok() ? OkStatus() : file.status();
}

inline Status ParseStatus(const GgufBytesBuilder& builder, const GgufLimits& limits = {}) {
  return ParseStatus(builder.bytes(), limits);
}

// Matches a Status with this code whose message contains `substring`.
MATCHER_P2(IsError, code, substring, "is a " + std::string(StatusCodeName(code)) + " error containing \"" + substring + "\"") {
  if (arg.code() == code && arg.message().find(substring) != std::string::npos) return true;
  *result_listener << "status is " << arg.ToString();
  return false;
}

}  // namespace fab::testing
