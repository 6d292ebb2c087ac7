#include "server/routes.h"

#include <array>
#include <string>

#include "tokenizer/utf8.h"

namespace fab::server {
namespace {

struct RouteEntry {
  std::string_view path;
  std::string_view method;
  ApiRoute route;
};

constexpr std::array<RouteEntry, 9> kRoutes = {{
    {"/v1/completions", "POST", ApiRoute::kCompletions},
    {"/v1/chat/completions", "POST", ApiRoute::kChatCompletions},
    {"/v1/models", "GET", ApiRoute::kModels},
    {"/tokenize", "POST", ApiRoute::kTokenize},
    {"/detokenize", "POST", ApiRoute::kDetokenize},
    {"/health", "GET", ApiRoute::kHealth},
    {"/ready", "GET", ApiRoute::kReady},
    {"/metrics", "GET", ApiRoute::kMetrics},
    {"/v1/prefix_blocks", "GET", ApiRoute::kPrefixBlocks},
}};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Messages quote at most 200 bytes of a client-supplied string, as UTF-8.
std::string Quoted(std::string_view text) { return SanitizeUtf8(text.substr(0, 200)); }

}  // namespace

std::string_view RouteMethod(ApiRoute route) {
  for (const RouteEntry& entry : kRoutes) {
    if (entry.route == route) return entry.method;
  }
  return "GET";
}

ApiResult<ApiRoute> MatchRoute(std::string_view method, std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  for (const RouteEntry& entry : kRoutes) {
    if (entry.path != path) continue;
    if (method == entry.method || (method == "HEAD" && entry.method == "GET")) return entry.route;
    const std::string allowed = entry.method == "GET" ? "GET, HEAD" : std::string(entry.method);
    return MethodNotAllowedError(Quoted(method), std::string(entry.path), allowed);
  }
  return UnknownPathError(Quoted(method), Quoted(path));
}

std::optional<ApiError> CheckJsonContentType(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  const std::string_view media_type = Trim(content_type.substr(0, semicolon));
  bool ok = EqualsIgnoringCase(media_type, "application/json");
  std::string_view params =
      semicolon == std::string_view::npos ? std::string_view() : content_type.substr(semicolon + 1);
  while (ok && !params.empty()) {
    const size_t next = params.find(';');
    const std::string_view param = Trim(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
    const size_t equals = param.find('=');
    if (equals != std::string_view::npos && EqualsIgnoringCase(Trim(param.substr(0, equals)), "charset")) {
      std::string_view charset = Trim(param.substr(equals + 1));
      if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
        charset = charset.substr(1, charset.size() - 2);
      }
      ok = EqualsIgnoringCase(charset, "utf-8") || EqualsIgnoringCase(charset, "utf8");
    }
  }
  if (ok) return std::nullopt;
  return UnsupportedContentTypeError(content_type.empty() ? "(none)" : Quoted(content_type));
}

}  // namespace fab::server
