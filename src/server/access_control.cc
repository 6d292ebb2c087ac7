#include "server/access_control.h"

#include <algorithm>

#include "tokenizer/utf8.h"

namespace fab::server {
namespace {

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  return lower;
}

// Undoes %XX escapes (bad escapes stay as they are); enough to see a key.
std::string PercentDecoded(std::string_view text) {
  std::string out;
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

bool IsCredentialName(const std::string& name) {
  static const char* kNames[] = {"api_key", "api-key", "apikey", "key", "access_token", "token", "authorization"};
  for (const char* credential : kNames) {
    if (name == credential) return true;
  }
  return false;
}

}  // namespace

std::optional<ApiError> CheckNoCredentialsInQuery(std::string_view target) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t equals = pair.find('=');
    const std::string name = Lowercase(PercentDecoded(pair.substr(0, equals)));
    const std::string value =
        equals == std::string_view::npos ? std::string() : PercentDecoded(pair.substr(equals + 1));
    if (IsCredentialName(name) || value.find("tf-") != std::string::npos || name.find("tf-") != std::string::npos) {
      ApiError error = InvalidFieldError("api_key",
                                         "API keys are accepted only in the Authorization header (Bearer), never "
                                         "in the URL, where logs and proxies keep them");
      error.code = "api_key_in_url";
      return error;
    }
  }
  return std::nullopt;
}

ApiResult<Caller> AccessControl::Admit(const HttpRequest& request) const {
  if (auto error = CheckNoCredentialsInQuery(request.target)) return *error;
  if (!enabled()) return Caller{};
  const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  for (const std::string& open : options_.public_routes) {
    if (path == open) return Caller{};
  }
  StatusOr<control::Principal> principal = options_.authenticator->Authenticate(request.authorization);
  if (!principal.ok()) return ErrorFromStatus(principal.status());
  return Caller{std::move(principal).value()};
}

std::optional<ApiError> CheckAdmin(const Caller& caller) {
  if (caller.principal && caller.principal->admin) return std::nullopt;
  return PermissionDeniedError(caller.principal ? "the API key " + caller.principal->key_id +
                                                      " is not an admin key (tokenfab keys create --admin)"
                                                : "the admin API needs authentication: serve --auth with an admin key");
}

std::optional<ApiError> CheckModelAllowed(const Caller& caller, const std::string& model) {
  if (!caller.principal || control::AllowsModel(caller.principal->policy, model)) return std::nullopt;
  ApiError error = PermissionDeniedError("the tenant '" + caller.principal->tenant_name + "' may not use the model '" +
                                         SanitizeUtf8(std::string_view(model).substr(0, 200)) + "'");
  error.param = "model";
  error.code = "model_not_allowed";
  return error;
}

Status CheckPublicRoute(const std::string& path) {
  const bool ok = !path.empty() && path.front() == '/' && path.find('?') == std::string::npos &&
                  path.find('%') == std::string::npos && path.find("//") == std::string::npos &&
                  path.find("/./") == std::string::npos && path.find("/../") == std::string::npos &&
                  path.size() <= 1024;
  if (ok) return OkStatus();
  return InvalidArgumentError("--public-route '" + path.substr(0, 200) +
                              "' must be an absolute path without a query, '%', '//', '/./' or '/../'");
}

}  // namespace fab::server
