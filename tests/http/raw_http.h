// A small HTTP/1.1 client over plain POSIX sockets for the end-to-end tests
// (tests/http/*_test.cc) and the transport tests (tests/server/
// http_server_test.cc): it sends whatever bytes a test builds — broken
// request lines, huge headers, a Content-Length with no body — and reads back
// one response (Content-Length, chunked or until close), or a streamed body
// piece by piece. Loopback only, blocking sockets with poll() deadlines, so a
// server that hangs fails a test instead of hanging it. One RawConnection per
// thread; nothing here is shared.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fab::http_test {

using std::chrono::milliseconds;

inline constexpr milliseconds kDefaultTimeout{15000};

struct RawResponse {
  int status = 0;                                            // 0: no status line arrived (see error)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;                                          // with any chunked framing removed
  bool chunked = false;  // Transfer-Encoding: chunked, and every chunk was well-formed
  std::string error;     // empty when the whole response was read

  // The first header named `name` (lower case), or "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; nullopt (with *error set) on failure.
  // receive_buffer_bytes > 0 shrinks SO_RCVBUF first (a slow reader's
  // window fills sooner).
  static std::optional<RawConnection> Connect(uint16_t port, std::string* error = nullptr,
                                              int receive_buffer_bytes = 0);

  RawConnection(RawConnection&& other) noexcept;
  RawConnection& operator=(RawConnection&& other) noexcept;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection();

  // Sends all of `bytes` (MSG_NOSIGNAL); false when the peer closed or the
  // deadline passed — a server may answer and close before a body is sent.
  bool Send(std::string_view bytes, milliseconds timeout = kDefaultTimeout);

  // Reads one whole response. A response to HEAD, or a 1xx/204/304, has no
  // body; pass head_only for HEAD.
  RawResponse ReadResponse(milliseconds timeout = kDefaultTimeout, bool head_only = false);

  // Streaming: reads the status line and headers only.
  RawResponse ReadHead(milliseconds timeout = kDefaultTimeout);
  // Streaming: the next piece of the body after ReadHead (one chunk's data
  // for a chunked body, else what arrived); nullopt at the end of the body
  // (last chunk, or close), on error or on timeout (*error says which:
  // "" at a clean end).
  std::optional<std::string> ReadBodyPiece(milliseconds timeout, std::string* error);

  // Reads and drops bytes until the server closes the connection; true if
  // it closed (end of stream or reset) before the deadline.
  bool WaitForClose(milliseconds timeout = kDefaultTimeout);

  // Half-close the sending side, or close the socket now (RST-free).
  void ShutdownWrite();
  void Close();
  bool is_open() const { return fd_ >= 0; }

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  // Appends at least one byte to buffer_; false on close, error or timeout.
  bool Fill(std::chrono::steady_clock::time_point deadline, std::string* error);
  // Takes one CRLF-terminated line (without CRLF) from buffer_.
  bool ReadLine(std::chrono::steady_clock::time_point deadline, std::string* line, std::string* error);
  bool ReadExactly(size_t n, std::chrono::steady_clock::time_point deadline, std::string* out,
                   std::string* error);

  int fd_ = -1;
  std::string buffer_;  // received, not yet consumed
  // Body framing of the response being streamed.
  bool streaming_chunked_ = false;
  std::optional<size_t> streaming_remaining_;  // Content-Length left, if known
  bool streaming_done_ = false;
};

// One request on a fresh connection: sends `request` verbatim, reads one
// response, closes.
RawResponse Exchange(uint16_t port, std::string_view request, milliseconds timeout = kDefaultTimeout);

// Request builders (HTTP/1.1, Host: 127.0.0.1, Connection: close).
std::string BuildRequest(std::string_view method, std::string_view target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view body);
std::string BuildJsonPost(std::string_view target, std::string_view json,
                          std::string_view content_type = "application/json");

RawResponse Get(uint16_t port, std::string_view target, milliseconds timeout = kDefaultTimeout);
RawResponse PostJson(uint16_t port, std::string_view target, std::string_view json,
                     milliseconds timeout = kDefaultTimeout);

// Splits an SSE body into its events' payloads ("data: X\n\n" → "X"); sets
// *framing_error (when given) to the first deviation from that exact shape.
std::vector<std::string> SplitSseEvents(std::string_view body, std::string* framing_error = nullptr);

}  // namespace fab::http_test
