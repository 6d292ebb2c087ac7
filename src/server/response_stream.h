// ResponseStream: a response that is produced on one thread (the engine's
// step thread, through request observers) and written to the client on
// another (the transport's). Two kinds:
//  - streamed: the head (200, text/event-stream) goes out at once, then every
//    Append()ed byte string in order, until Finish();
//  - whole: nothing goes out until Complete(response).
// The transport registers a waker, called (on the producer's thread, so it
// must only post work) whenever there is something new to take. When the
// client goes away or a write times out, the transport calls Abandon(): the
// producer's abandon callback runs once (to cancel the engine requests) and
// later Append/Complete calls are dropped. Thread-safe. Memory: bytes wait
// here only until the transport takes them; a reader that stalls past the
// transport's write timeout gets abandoned, which bounds it.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fab::server {

// A whole response: status, content type, body and extra headers
// (e.g. {"Retry-After","1"}).
struct ResponseHead {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class ResponseStream {
 public:
  enum class Kind { kStreamed, kWhole };
  explicit ResponseStream(Kind kind) : kind_(kind) {}
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  Kind kind() const { return kind_; }

  // kStreamed: extra headers of the event stream's head (x-ratelimit-*).
  // Set before the handler returns the stream; read by the transport.
  void SetHeadHeaders(std::vector<std::pair<std::string, std::string>> headers) { head_headers_ = std::move(headers); }
  const std::vector<std::pair<std::string, std::string>>& head_headers() const { return head_headers_; }

  // Producer side (any thread). Append/Finish only for kStreamed, Complete
  // only for kWhole (FAB_CHECKed); each after Finish/Complete is dropped.
  void Append(std::string bytes);
  void Finish();
  void Complete(ResponseHead response);
  // Runs `on_abandon` once when the transport abandons the stream (at once
  // if it already has). Set it before the first token can arrive.
  void SetOnAbandon(std::function<void()> on_abandon);

  // Transport side.
  // `waker` is called after each Append/Finish/Complete (and at once if
  // something is already waiting); it must not block.
  void SetWaker(std::function<void()> waker);
  struct Taken {
    std::string bytes;                   // kStreamed: everything appended since the last Take
    bool finished = false;               // kStreamed: Finish() was called and bytes is the last of it
    std::optional<ResponseHead> whole;   // kWhole: the response, once Complete() was called
  };
  Taken Take();
  // The client is gone or too slow: runs the abandon callback once.
  void Abandon();
  bool abandoned() const;

 private:
  const Kind kind_;
  std::vector<std::pair<std::string, std::string>> head_headers_;  // set before the transport sees the stream
  mutable std::mutex mutex_;
  std::string pending_;                 // guarded by mutex_
  bool finished_ = false;               // guarded by mutex_
  std::optional<ResponseHead> whole_;   // guarded by mutex_; until taken
  bool completed_ = false;              // guarded by mutex_
  bool abandoned_ = false;              // guarded by mutex_
  std::function<void()> on_abandon_;    // guarded by mutex_
  std::function<void()> waker_;         // guarded by mutex_
};

}  // namespace fab::server
