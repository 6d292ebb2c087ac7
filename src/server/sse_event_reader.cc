#include "server/sse_event_reader.h"

#include <utility>

namespace fab::server {

SseEventReader::SseEventReader(OnData on_data, size_t max_event_bytes)
    : on_data_(std::move(on_data)), max_event_bytes_(max_event_bytes) {}

Status SseEventReader::Feed(std::string_view bytes) {
  FAB_RETURN_IF_ERROR(failure_);
  for (const char c : bytes) {
    if (c == '\n' && after_cr_) {
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      failure_ = EndLine();
      FAB_RETURN_IF_ERROR(failure_);
      continue;
    }
    if (line_.size() + data_.size() >= max_event_bytes_) {
      failure_ = ResourceExhaustedError("server-sent event over " + std::to_string(max_event_bytes_) + " bytes");
      return failure_;
    }
    line_.push_back(c);
  }
  return OkStatus();
}

Status SseEventReader::EndLine() {
  if (line_.empty()) {  // a blank line dispatches the event
    if (has_data_) on_data_(data_);
    data_.clear();
    has_data_ = false;
    return OkStatus();
  }
  const std::string_view line = line_;
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  if (field == "data") {
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  }
  line_.clear();
  return OkStatus();
}

}  // namespace fab::server
