// One benchmark request: its OpenAI JSON body, the reading of its stream's
// events, and sending it while time-stamping each event as it arrives.
// BuildRequestBody and ParseStreamEvent are pure; SendBenchRequest blocks on
// the given client (one per thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "cli/bench_serve_metrics.h"
#include "cli/bench_serve_workload.h"
#include "server/http_client.h"

namespace fab::cli {

struct RequestBodySpec {
  std::string model;        // empty: no "model" field
  bool chat = false;        // /v1/chat/completions: the prompt text is one user message
  bool ignore_eos = true;
  boost::json::object extra;  // merged last: its fields replace the ones above
};

// {"model","prompt"|"messages","max_tokens","stream":true,
//  "stream_options":{"include_usage":true},"ignore_eos","temperature":0},
// then spec.extra's fields (structured output, sampling, ...).
std::string BuildRequestBody(const BenchPrompt& prompt, const RequestBodySpec& spec);

// What one `data:` event of a completion or chat stream says.
struct StreamEvent {
  bool done = false;             // "[DONE]"
  size_t n_text_bytes = 0;       // text of choices[0] (text, or delta.content)
  std::optional<int64_t> n_prompt_tokens;  // from "usage"
  std::optional<int64_t> n_completion_tokens;
  std::string error;             // non-empty: the event is an error (or not JSON)
};
StreamEvent ParseStreamEvent(std::string_view data);

// Sends one streaming request and records it; times are seconds since
// `run_start`. The record fails on a network error, a non-2xx status (with
// the server's message), an error event, or a stream that ends without
// [DONE] or any event.
// `headers` go with the request (Authorization for a server with --auth).
RequestRecord SendBenchRequest(server::HttpClient& client, const std::string& target, const std::string& body,
                               int64_t n_prompt_tokens_sent, std::chrono::steady_clock::time_point run_start,
                               const server::HttpHeaderList& headers = {});

}  // namespace fab::cli
