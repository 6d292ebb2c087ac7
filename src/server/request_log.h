// One structured JSON log line per finished HTTP request (spdlog, JSON lines
// on stderr or a file), for operators to ship to their log pipeline.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fab::server {

struct RequestLogEntry {
  std::string request_id;   // the response's id ("cmpl-…", "chatcmpl-…") or a transport id
  std::string method;
  std::string path;
  int status = 0;
  std::string remote;
  std::string model;
  std::optional<std::string> user;   // the request's `user` field
  bool stream = false;
  int64_t n_prompt_tokens = 0;
  int64_t n_cached_prompt_tokens = 0;
  int64_t n_completion_tokens = 0;
  std::string finish_reason;         // "stop" | "length" | "cancelled" | "error" | ""
  std::optional<double> ttft_s;
  double queue_s = 0.0;
  double duration_s = 0.0;           // receipt to last byte handed to the transport
  std::string error;                 // the error message for status >= 400
};

// Writes `entry` as one JSON object on one line. Never throws.
void LogRequest(const RequestLogEntry& entry);

}  // namespace fab::server
