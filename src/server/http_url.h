// An http:// URL split into what a client connects to: host, port and a path
// prefix that request targets are appended to ("http://h:8080/api" + "/v1/x").
// Only plain http is supported; https and anything malformed is a Status.
// Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace fab::server {

struct HttpUrl {
  std::string host;         // name or address; IPv6 without brackets
  uint16_t port = 80;       // 80 when the URL names none
  std::string path_prefix;  // "" or "/api": no trailing slash, no query
};

// Parses "http://HOST[:PORT][/PATH]". Errors: not a URL, another scheme
// (https: Unimplemented), user info, a query or fragment, an empty host, a port
// outside [1, 65535].
StatusOr<HttpUrl> ParseHttpUrl(std::string_view url);

// path_prefix + endpoint, where endpoint starts with '/'.
std::string JoinTarget(const HttpUrl& url, std::string_view endpoint);

}  // namespace fab::server
