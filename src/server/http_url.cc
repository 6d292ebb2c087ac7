#include "server/http_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>

namespace fab::server {

StatusOr<HttpUrl> ParseHttpUrl(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return InvalidArgumentError("not an absolute URL: '" + std::string(text) + "'");
  const boost::urls::url_view& url = *parsed;
  const std::string scheme(url.scheme());
  if (scheme == "https") {
    return UnimplementedError("https is not supported (plain http only; put a TLS proxy in front): '" +
                              std::string(text) + "'");
  }
  if (scheme != "http") return InvalidArgumentError("the URL scheme must be http, not '" + scheme + "'");
  if (url.has_userinfo()) return InvalidArgumentError("user info in the URL is not supported");
  if (url.has_query() || url.has_fragment()) {
    return InvalidArgumentError("the base URL must not have a query or fragment");
  }
  HttpUrl result;
  switch (url.host_type()) {
    case boost::urls::host_type::name: result.host = url.host_name(); break;
    case boost::urls::host_type::ipv4: result.host = url.host_ipv4_address().to_string(); break;
    case boost::urls::host_type::ipv6: result.host = url.host_ipv6_address().to_string(); break;
    default: return InvalidArgumentError("unsupported host in the URL: '" + std::string(text) + "'");
  }
  if (result.host.empty()) return InvalidArgumentError("the URL has no host");
  if (url.has_port()) {
    const std::string_view port_text = url.port();
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return InvalidArgumentError("the URL port must be in [1, 65535], not '" + std::string(port_text) + "'");
    }
    result.port = static_cast<uint16_t>(port);
  }
  result.path_prefix = std::string(url.encoded_path());
  if (!result.path_prefix.empty() && result.path_prefix.front() != '/') {
    return InvalidArgumentError("malformed host or port in the URL: '" + std::string(text) + "'");
  }
  while (!result.path_prefix.empty() && result.path_prefix.back() == '/') result.path_prefix.pop_back();
  return result;
}

std::string JoinTarget(const HttpUrl& url, std::string_view endpoint) {
  return url.path_prefix + std::string(endpoint);
}

}  // namespace fab::server
