// ServerMetrics: the Prometheus metrics of one served model (prometheus-cpp
// core registry, rendered in the text exposition format on GET /metrics).
// Names follow vLLM's where one exists, under the "tokenfab:" prefix:
//   histograms  tokenfab:time_to_first_token_seconds, tokenfab:inter_token_latency_seconds,
//               tokenfab:e2e_request_latency_seconds, tokenfab:request_queue_time_seconds,
//               tokenfab:request_prompt_tokens, tokenfab:request_generation_tokens
//   counters    tokenfab:prompt_tokens_total, tokenfab:generation_tokens_total,
//               tokenfab:request_success_total{finished_reason=…}, tokenfab:num_preemptions_total,
//               tokenfab:prefix_cache_queries_total, tokenfab:prefix_cache_hits_total,
//               tokenfab:http_requests_total{status=…}
//   gauges      tokenfab:num_requests_running, tokenfab:num_requests_waiting,
//               tokenfab:kv_cache_usage_perc (0..1, as vLLM)
// Every series carries model_name="<served name>". Thread-safe: Observe* run
// on the engine's step thread and transport threads, Render on any thread.
#pragma once

#include <memory>
#include <string>

#include "engine/engine_stats.h"
#include "engine/request_summary.h"

namespace fab::server {

class ServerMetrics {
 public:
  explicit ServerMetrics(std::string model_name);
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // One engine request ended (called from RequestObserver::OnFinish).
  void ObserveRequest(const engine::RequestSummary& summary);
  // One HTTP response went out with `status`.
  void ObserveHttpStatus(int status);
  // The text exposition of every metric; gauges and engine-wide counters are
  // taken from `stats` at this moment.
  std::string Render(const engine::EngineStats& stats);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fab::server
