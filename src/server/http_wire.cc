#include "server/http_wire.h"

#include <algorithm>
#include <cstdio>

namespace fab::server {
namespace {

bool IsSafeHeader(std::string_view name, std::string_view value) {
  auto unsafe = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  return !name.empty() && std::none_of(name.begin(), name.end(), unsafe) &&
         std::none_of(value.begin(), value.end(), unsafe);
}

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  if (!IsSafeHeader(name, value)) return;
  out.append(name).append(": ").append(value).append("\r\n");
}

// Status line and Connection header, without the blank line that ends the head.
std::string HeadStart(int status, const ResponseFraming& framing) {
  if (status < 100 || status > 999) status = 500;
  bool http10 = framing.http_version == 10;
  std::string head = http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
  if (http10 && framing.keep_alive) head += "Connection: keep-alive\r\n";
  if (!http10 && !framing.keep_alive) head += "Connection: close\r\n";
  return head;
}

}  // namespace

const char* ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

std::string SerializeResponse(const ResponseHead& response, const ResponseFraming& framing) {
  std::string out = HeadStart(response.status, framing);
  if (!response.content_type.empty()) AppendHeader(out, "Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) AppendHeader(out, name, value);
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n";
  if (!framing.head_only) out += response.body;
  return out;
}

std::string SerializeEventStreamHead(const ResponseFraming& framing,
                                    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out = HeadStart(200, framing);
  out += "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n";
  for (const auto& [name, value] : headers) AppendHeader(out, name, value);
  if (framing.http_version != 10) out += "Transfer-Encoding: chunked\r\n";
  out += "\r\n";
  return out;
}

std::string FrameChunk(std::string_view bytes, bool last) {
  std::string out;
  if (!bytes.empty()) {
    char size[24];
    int n = std::snprintf(size, sizeof(size), "%zx\r\n", bytes.size());
    out.reserve(bytes.size() + static_cast<size_t>(n) + 7);
    out.append(size, static_cast<size_t>(n)).append(bytes).append("\r\n");
  }
  if (last) out += "0\r\n\r\n";
  return out;
}

}  // namespace fab::server
