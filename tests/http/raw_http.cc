#include "http/raw_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace fab::http_test {
namespace {

using Clock = std::chrono::steady_clock;

int MillisecondsLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left, 1 << 30));
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Parses a chunk-size line ("1a", "1a;ext=1"); nullopt when it is not hex.
std::optional<size_t> ParseChunkSize(std::string_view line) {
  line = Trim(line.substr(0, line.find(';')));
  if (line.empty() || line.size() > 15) return std::nullopt;
  size_t size = 0;
  for (char c : line) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    size = size * 16 + static_cast<size_t>(std::isdigit(static_cast<unsigned char>(c))
                                               ? c - '0'
                                               : std::tolower(c) - 'a' + 10);
  }
  return size;
}

}  // namespace

std::string RawResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

bool RawResponse::HasHeader(std::string_view name) const {
  for (const auto& header : headers) {
    if (header.first == name) return true;
  }
  return false;
}

std::optional<RawConnection> RawConnection::Connect(uint16_t port, std::string* error,
                                                    int receive_buffer_bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (error) *error = std::string("socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (receive_buffer_bytes > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof(receive_buffer_bytes));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    if (error) *error = std::string("connect: ") + std::strerror(errno);
    close(fd);
    return std::nullopt;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return RawConnection(fd);
}

RawConnection::RawConnection(RawConnection&& other) noexcept { *this = std::move(other); }

RawConnection& RawConnection::operator=(RawConnection&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    streaming_chunked_ = other.streaming_chunked_;
    streaming_remaining_ = other.streaming_remaining_;
    streaming_done_ = other.streaming_done_;
  }
  return *this;
}

RawConnection::~RawConnection() { Close(); }

void RawConnection::ShutdownWrite() {
  if (fd_ >= 0) shutdown(fd_, SHUT_WR);
}

void RawConnection::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool RawConnection::Send(std::string_view bytes, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLOUT, 0};
    if (poll(&p, 1, MillisecondsLeft(deadline)) <= 0) return false;
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawConnection::Fill(Clock::time_point deadline, std::string* error) {
  while (true) {
    if (fd_ < 0) {
      *error = "connection closed by the client";
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, MillisecondsLeft(deadline));
    if (ready == 0) {
      *error = "timed out";
      return false;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      *error = std::string("poll: ") + std::strerror(errno);
      return false;
    }
    char chunk[16384];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      *error = "connection closed";
      return false;
    }
    if (errno == EINTR || errno == EAGAIN) continue;
    *error = std::string("recv: ") + std::strerror(errno);
    return false;
  }
}

bool RawConnection::ReadLine(Clock::time_point deadline, std::string* line, std::string* error) {
  while (true) {
    const size_t end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      line->assign(buffer_, 0, end);
      buffer_.erase(0, end + 2);
      return true;
    }
    if (buffer_.size() > (1u << 20)) {
      *error = "line longer than 1 MiB";
      return false;
    }
    if (!Fill(deadline, error)) return false;
  }
}

bool RawConnection::ReadExactly(size_t n, Clock::time_point deadline, std::string* out, std::string* error) {
  while (buffer_.size() < n) {
    if (!Fill(deadline, error)) return false;
  }
  out->append(buffer_, 0, n);
  buffer_.erase(0, n);
  return true;
}

bool RawConnection::WaitForClose(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string error;
  while (Fill(deadline, &error)) buffer_.clear();
  return error == "connection closed" || error.rfind("recv: ", 0) == 0;
}

RawResponse RawConnection::ReadHead(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  RawResponse response;
  std::string line;
  if (!ReadLine(deadline, &line, &response.error)) return response;
  // "HTTP/1.1 200 OK"
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) {
    response.error = "bad status line: " + line.substr(0, 80);
    return response;
  }
  response.status = std::atoi(line.substr(9, 3).c_str());
  while (true) {
    if (!ReadLine(deadline, &line, &response.error)) return response;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      response.error = "bad header line: " + line.substr(0, 80);
      return response;
    }
    response.headers.emplace_back(Lower(Trim(std::string_view(line).substr(0, colon))),
                                  std::string(Trim(std::string_view(line).substr(colon + 1))));
  }
  response.chunked = Lower(response.Header("transfer-encoding")).find("chunked") != std::string::npos;
  streaming_chunked_ = response.chunked;
  streaming_remaining_.reset();
  streaming_done_ = false;
  if (!response.chunked && response.HasHeader("content-length")) {
    streaming_remaining_ = std::strtoull(response.Header("content-length").c_str(), nullptr, 10);
  }
  return response;
}

std::optional<std::string> RawConnection::ReadBodyPiece(milliseconds timeout, std::string* error) {
  const Clock::time_point deadline = Clock::now() + timeout;
  error->clear();
  if (streaming_done_) return std::nullopt;
  std::string piece;
  if (streaming_chunked_) {
    std::string line;
    if (!ReadLine(deadline, &line, error)) return std::nullopt;
    const std::optional<size_t> size = ParseChunkSize(line);
    if (!size) {
      *error = "bad chunk size line: " + line.substr(0, 80);
      return std::nullopt;
    }
    if (*size == 0) {  // trailers, then the empty line
      do {
        if (!ReadLine(deadline, &line, error)) return std::nullopt;
      } while (!line.empty());
      streaming_done_ = true;
      return std::nullopt;
    }
    if (!ReadExactly(*size, deadline, &piece, error)) return std::nullopt;
    if (!ReadLine(deadline, &line, error)) return std::nullopt;
    if (!line.empty()) {
      *error = "chunk data longer than its size line";
      return std::nullopt;
    }
    return piece;
  }
  if (streaming_remaining_) {
    if (*streaming_remaining_ == 0) {
      streaming_done_ = true;
      return std::nullopt;
    }
    if (buffer_.empty() && !Fill(deadline, error)) return std::nullopt;
    const size_t n = std::min(*streaming_remaining_, buffer_.size());
    piece.assign(buffer_, 0, n);
    buffer_.erase(0, n);
    *streaming_remaining_ -= n;
    return piece;
  }
  // Until close.
  if (buffer_.empty() && !Fill(deadline, error)) {
    if (*error == "connection closed") error->clear();
    streaming_done_ = true;
    return std::nullopt;
  }
  piece.swap(buffer_);
  return piece;
}

RawResponse RawConnection::ReadResponse(milliseconds timeout, bool head_only) {
  const Clock::time_point deadline = Clock::now() + timeout;
  RawResponse response = ReadHead(timeout);
  if (response.status == 0 || !response.error.empty()) return response;
  if (head_only || response.status / 100 == 1 || response.status == 204 || response.status == 304) {
    return response;
  }
  while (true) {
    std::string error;
    const milliseconds left =
        std::chrono::duration_cast<milliseconds>(std::max(deadline - Clock::now(), Clock::duration(0)));
    std::optional<std::string> piece = ReadBodyPiece(left, &error);
    if (!piece) {
      response.error = error;
      break;
    }
    response.body += *piece;
  }
  return response;
}

RawResponse Exchange(uint16_t port, std::string_view request, milliseconds timeout) {
  std::string error;
  std::optional<RawConnection> connection = RawConnection::Connect(port, &error);
  if (!connection) {
    RawResponse response;
    response.error = error;
    return response;
  }
  // A server may answer (413, 431) and close before it has read everything:
  // a failed send is not an error by itself; the response decides.
  connection->Send(request, timeout);
  return connection->ReadResponse(timeout, request.rfind("HEAD ", 0) == 0);
}

std::string BuildRequest(std::string_view method, std::string_view target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view body) {
  std::string request;
  request.reserve(body.size() + 256);
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (const auto& [name, value] : headers) request.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST") {
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  request.append("Connection: close\r\n\r\n").append(body);
  return request;
}

std::string BuildJsonPost(std::string_view target, std::string_view json, std::string_view content_type) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!content_type.empty()) headers.emplace_back("Content-Type", std::string(content_type));
  return BuildRequest("POST", target, headers, json);
}

RawResponse Get(uint16_t port, std::string_view target, milliseconds timeout) {
  return Exchange(port, BuildRequest("GET", target, {}, ""), timeout);
}

RawResponse PostJson(uint16_t port, std::string_view target, std::string_view json, milliseconds timeout) {
  return Exchange(port, BuildJsonPost(target, json), timeout);
}

std::vector<std::string> SplitSseEvents(std::string_view body, std::string* framing_error) {
  std::vector<std::string> events;
  auto fail = [&](std::string why) {
    if (framing_error && framing_error->empty()) *framing_error = std::move(why);
  };
  while (!body.empty()) {
    const size_t end = body.find("\n\n");
    if (end == std::string_view::npos) {
      fail("bytes after the last event: " + std::string(body.substr(0, 80)));
      break;
    }
    const std::string_view event = body.substr(0, end);
    if (event.rfind("data: ", 0) != 0)
      fail("event without a 'data: ' prefix: " + std::string(event.substr(0, 80)));
    if (event.find('\n') != std::string_view::npos || event.find('\r') != std::string_view::npos) {
      fail("event with more than one line: " + std::string(event.substr(0, 80)));
    }
    events.emplace_back(event.rfind("data: ", 0) == 0 ? event.substr(6) : event);
    body.remove_prefix(end + 2);
  }
  return events;
}

}  // namespace fab::http_test
