// A scripted HTTP server for client tests, written with POSIX sockets (not
// Beast) so that clients are checked against bytes the test chooses. It
// listens on 127.0.0.1 (an ephemeral port) and hands each accepted connection
// to `serve` on a thread of its own; the destructor shuts every connection
// down and joins. Test-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fab::test {

inline void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads one request (head and Content-Length body); "" when the peer closed.
inline std::string ReadRequest(int fd) {
  std::string data;
  char buffer[4096];
  size_t body_start = std::string::npos;
  size_t content_length = 0;
  while (true) {
    if (body_start != std::string::npos && data.size() >= body_start + content_length) return data;
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return "";
    data.append(buffer, static_cast<size_t>(n));
    if (body_start == std::string::npos && data.find("\r\n\r\n") != std::string::npos) {
      body_start = data.find("\r\n\r\n") + 4;
      const size_t at = data.find("Content-Length: ");
      if (at != std::string::npos && at < body_start) content_length = std::stoul(data.substr(at + 16));
    }
  }
}

// Waits (at most about 10 s) until the peer closes, so the client sees no reset.
inline void WaitForPeerClose(int fd) {
  pollfd p{fd, POLLIN, 0};
  char buffer[256];
  for (int i = 0; i < 100 && ::poll(&p, 1, 100) >= 0; ++i) {
    if ((p.revents & POLLIN) != 0 && ::recv(fd, buffer, sizeof(buffer), 0) <= 0) return;
  }
}

// "<hex size>\r\n<data>\r\n": one chunk of a chunked body.
inline std::string ChunkedPiece(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

class LoopbackServer {
 public:
  using Serve = std::function<void(int fd, int connection_index)>;

  explicit LoopbackServer(Serve serve) : serve_(std::move(serve)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    port_ = ntohs(address.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    if (accept_thread_.joinable()) accept_thread_.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : connection_threads_) t.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }

 private:
  void AcceptLoop() {
    int n_accepted = 0;
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      std::lock_guard<std::mutex> lock(mutex_);
      open_fds_.push_back(fd);
      connection_threads_.emplace_back([this, fd, index = n_accepted++] {
        serve_(fd, index);
        std::lock_guard<std::mutex> lock(mutex_);
        std::erase(open_fds_, fd);
        ::close(fd);
      });
    }
  }

  Serve serve_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<int> open_fds_;
  std::vector<std::thread> connection_threads_;
  std::thread accept_thread_;
};

}  // namespace fab::test
