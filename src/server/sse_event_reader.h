// Splits a text/event-stream body, fed in arbitrary pieces as it arrives,
// into events and hands each event's data (its `data:` lines joined by '\n')
// to a callback as soon as the blank line ending the event is read. Lines end
// in "\n", "\r\n" or "\r"; comments and other fields are skipped; an event
// left incomplete at the end of the stream is dropped (as the SSE spec says).
// A line or an event over its cap is an error. One reader per stream; not
// thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace fab::server {

inline constexpr size_t kDefaultMaxSseEventBytes = size_t{1} << 20;

class SseEventReader {
 public:
  using OnData = std::function<void(std::string_view data)>;

  SseEventReader(OnData on_data, size_t max_event_bytes = kDefaultMaxSseEventBytes);

  // Consumes `bytes`; calls on_data for each event they complete, in order.
  // After an error the reader stays failed.
  Status Feed(std::string_view bytes);

 private:
  Status EndLine();

  OnData on_data_;
  size_t max_event_bytes_;
  std::string line_;
  std::string data_;
  bool has_data_ = false;
  bool after_cr_ = false;  // the last byte was '\r': a following '\n' is part of the same line end
  Status failure_;
};

}  // namespace fab::server
