// RawHttpClient: a blocking loopback HTTP/1.1 client on POSIX sockets for the
// transport tests (no Beast here: it compiles slowly). It sends bytes exactly
// as given and parses responses (Content-Length or chunked bodies). Every
// wait is bounded by kRawClientTimeout, so a server that hangs fails the test
// instead of hanging it. One thread per client.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fab::server::testing {

inline constexpr std::chrono::seconds kRawClientTimeout{10};

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // de-chunked
  std::vector<std::string> chunks;             // chunked bodies: each chunk's data, in order
  bool ended_with_last_chunk = false;          // chunked bodies: the 0-size chunk arrived

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawHttpClient {
 public:
  // Connects to 127.0.0.1:port; connected() says whether it worked.
  explicit RawHttpClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) Close();
  }
  ~RawHttpClient() { Close(); }
  RawHttpClient(const RawHttpClient&) = delete;
  RawHttpClient& operator=(const RawHttpClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool Send(std::string_view bytes) {
    while (fd_ >= 0 && !bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return fd_ >= 0;
  }

  // Reads one response; nullopt if the connection closed or timed out first.
  // `head_request`: the response to a HEAD has no body whatever its headers
  // say (nor has a 1xx, 204 or 304).
  std::optional<RawResponse> ReadResponse(bool head_request = false) {
    RawResponse response;
    std::optional<std::string> status_line = ReadLine();
    if (!status_line || status_line->rfind("HTTP/1.", 0) != 0 || status_line->size() < 12) return std::nullopt;
    response.status = std::atoi(status_line->c_str() + 9);
    for (;;) {
      std::optional<std::string> line = ReadLine();
      if (!line) return std::nullopt;
      if (line->empty()) break;
      size_t colon = line->find(':');
      if (colon == std::string::npos) return std::nullopt;
      std::string name = line->substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      size_t value_start = line->find_first_not_of(' ', colon + 1);
      response.headers[name] = value_start == std::string::npos ? "" : line->substr(value_start);
    }
    if (head_request || response.status / 100 == 1 || response.status == 204 || response.status == 304) {
      return response;
    }
    if (response.Header("transfer-encoding") == "chunked") {
      if (!ReadChunks(response)) return std::nullopt;
      return response;
    }
    std::string length = response.Header("content-length");
    if (length.empty()) {  // delimited by the end of the connection
      response.body = ReadUntilClosed();
      return response;
    }
    std::optional<std::string> body = ReadExactly(std::stoul(length));
    if (!body) return std::nullopt;
    response.body = std::move(*body);
    return response;
  }

  // Everything until the peer closes (or the timeout).
  std::string ReadUntilClosed() {
    while (Fill()) {
    }
    return std::exchange(buffer_, std::string());
  }

  // True if the peer closed (EOF or reset) within the timeout; drops any bytes.
  bool WaitForClose() {
    while (Fill()) buffer_.clear();
    return peer_closed_;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  // Reads more bytes into buffer_; false on EOF, error or timeout.
  bool Fill() {
    if (fd_ < 0) return false;
    auto deadline = std::chrono::steady_clock::now() + kRawClientTimeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd readable{fd_, POLLIN, 0};
      int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      char bytes[16384];
      ssize_t n = ::recv(fd_, bytes, sizeof(bytes), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        peer_closed_ = true;
        return false;
      }
      buffer_.append(bytes, static_cast<size_t>(n));
      return true;
    }
  }

  std::optional<std::string> ReadLine() {
    size_t end;
    while ((end = buffer_.find("\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    return line;
  }

  std::optional<std::string> ReadExactly(size_t n_bytes) {
    while (buffer_.size() < n_bytes) {
      if (!Fill()) return std::nullopt;
    }
    std::string bytes = buffer_.substr(0, n_bytes);
    buffer_.erase(0, n_bytes);
    return bytes;
  }

  bool ReadChunks(RawResponse& response) {
    for (;;) {
      std::optional<std::string> size_line = ReadLine();
      if (!size_line || size_line->empty()) return false;
      size_t size = std::stoul(*size_line, nullptr, 16);
      if (size == 0) break;
      std::optional<std::string> data = ReadExactly(size + 2);
      if (!data || data->substr(size) != "\r\n") return false;
      data->resize(size);
      response.body += *data;
      response.chunks.push_back(std::move(*data));
    }
    for (;;) {  // trailers, then the blank line
      std::optional<std::string> line = ReadLine();
      if (!line) return false;
      if (line->empty()) break;
    }
    response.ended_with_last_chunk = true;
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  bool peer_closed_ = false;
};

}  // namespace fab::server::testing
