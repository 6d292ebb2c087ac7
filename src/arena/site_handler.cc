#include "arena/site_handler.h"

#include <string>
#include <string_view>
#include <vector>

#include "arena/web_assets.h"
#include "server/errors.h"
#include "server/request_log.h"
#include "server/routes.h"

namespace fab::arena {
namespace {

using server::ErrorResponse;
using server::HttpResponse;

constexpr std::string_view kBattles = "/api/arena/battles";

HttpResponse Asset(const WebAsset& asset, bool head) {
  HttpResponse response;
  response.content_type = std::string(asset.content_type);
  if (!head) response.body = std::string(asset.bytes);
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
  return response;
}

// "/a/b/c" → {"a", "b", "c"} (empty segments kept, so "//" never matches).
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

HttpResponse WrongMethod(const server::HttpRequest& request, const std::string& path, const char* allowed) {
  return ErrorResponse(server::MethodNotAllowedError(request.method, path, allowed));
}

void Log(const server::HttpRequest& request, const std::string& path, const server::HandlerResult& result,
         std::chrono::steady_clock::time_point received) {
  const HttpResponse* response = std::get_if<HttpResponse>(&result);
  if (response == nullptr) return;  // an answer's stream: its chat job logs it
  server::RequestLogEntry entry;
  entry.method = request.method;
  entry.path = path;
  entry.status = response->status;
  entry.remote = request.remote;
  entry.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count();
  server::LogRequest(entry);
}

}  // namespace

server::HandlerResult SiteHandler::Handle(const server::HttpRequest& request) {
  const auto received = std::chrono::steady_clock::now();
  const std::string path = request.target.substr(0, request.target.find('?'));
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool head = request.method == "HEAD";
  server::HandlerResult result;
  if (path == "/") {
    if (!get) return WrongMethod(request, path, "GET, HEAD");
    HttpResponse redirect;
    redirect.status = 303;
    redirect.content_type = "text/plain; charset=utf-8";
    redirect.headers.emplace_back("Location", "/arena");
    return redirect;
  }
  if (path == "/arena" || path == "/leaderboard" || path.rfind("/web/", 0) == 0) {
    const std::string name = path.rfind("/web/", 0) == 0 ? path.substr(5) : path.substr(1) + ".html";
    const WebAsset* asset = FindWebAsset(name);
    if (asset == nullptr) result = ErrorResponse(server::UnknownPathError(request.method, path));
    else if (!get) result = WrongMethod(request, path, "GET, HEAD");
    else result = Asset(*asset, head);
    Log(request, path, result, received);
    return result;
  }
  if (path == "/api/leaderboard") {
    result = get ? arena_.Leaderboard() : WrongMethod(request, path, "GET, HEAD");
    Log(request, path, result, received);
    return result;
  }
  if (path.rfind("/api/arena/", 0) != 0) return api_.Handle(request);
  const std::vector<std::string_view> parts = Segments(path);  // api, arena, battles, ID, …
  const bool start = path == kBattles;
  const bool vote = parts.size() == 5 && parts[2] == "battles" && parts[4] == "vote";
  const bool answer = parts.size() == 6 && parts[2] == "battles" && parts[4] == "answers" && ParseSide(parts[5]);
  if (!start && !vote && !answer) {
    result = ErrorResponse(server::UnknownPathError(request.method, path));
  } else if (request.method != "POST") {
    result = WrongMethod(request, path, "POST");
  } else if (auto error = server::CheckJsonContentType(request.content_type); error && !answer) {
    result = ErrorResponse(*error);
  } else if (start) {
    result = arena_.StartBattle(request);
  } else if (vote) {
    result = arena_.Vote(request, std::string(parts[3]));
  } else {
    result = arena_.Answer(request, std::string(parts[3]), *ParseSide(parts[5]));
  }
  Log(request, path, result, received);
  return result;
}

}  // namespace fab::arena
