// One structured JSON log line per finished HTTP request (spdlog, JSON lines
// on stderr or a file), for operators to ship to their log pipeline.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

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
  std::optional<double> ledger_s;    // the durable ledger write the final bytes waited for (serve --db)
  std::string error;                 // the error message for status >= 400
};

// Sends the request log to `path`, created if absent and appended to (its
// parent directories are created too); "" means stderr, the default before
// any call. InvalidArgument when the file cannot be opened for writing; the
// previous destination stays then. Call at start-up (safe at any time).
Status ConfigureRequestLog(const std::string& path);

// Writes `entry` as one JSON object on one line (flushed at once). Never throws.
//   {"ts":"2026-11-29T19:20:00.123Z","request_id":…,"method":…,"path":…,"status":200,
//    "remote":…,"model":…,"user":null|"…","stream":false,"prompt_tokens":…,
//    "cached_prompt_tokens":…,"completion_tokens":…,"finish_reason":…,
//    "ttft_s":null|…,"queue_s":…,"duration_s":…,"error":…}
// plus "ledger_s":… when the request's final bytes waited for its ledger row.
// Invalid UTF-8 sequences in strings are replaced by U+FFFD.
void LogRequest(const RequestLogEntry& entry);

// A line {"ts":…,"level":"warning","message":…} in the same log, for what
// an operator should see but no request answers for (a reservation that
// could not be released). Never throws.
void LogWarning(const std::string& message);

}  // namespace fab::server
