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
//               tokenfab:kv_cache_usage_perc (0..1, as vLLM),
//               tokenfab:power_budget_watts (+Inf: none), tokenfab:power_watts,
//               tokenfab:power_shed_level, tokenfab:power_duty, tokenfab:num_requests_deferred
// and the tiers' objectives (control/slo.h), per tier:
//   counters    tokenfab:slo_requests_total{tier}, tokenfab:slo_goodput_requests_total{tier}
//               (requests that ended within the tier's SLO; its rate is the goodput)
//   gauge       tokenfab:slo_attainment_ratio{tier}: the share of requests within it
// and what an inference gateway's endpoint picker reads (docs/deploy.md):
//   gauges      tokenfab:cache_config_info{block_size,num_gpu_blocks} = 1,
//               tokenfab:lora_requests_info{max_lora,running_lora_adapters,waiting_lora_adapters}
//               = the Unix time (no adapters are served yet: max_lora "0", lists empty)
// and the factory's books, per tenant ("" without authentication):
//   counters    tokenfab:energy_joules_total{tenant,source}, tokenfab:cost_total{tenant,currency},
//               tokenfab:metered_tokens_total{tenant,kind=prompt|completion},
//               tokenfab:idle_energy_joules_total{source} (energy no request used)
//   gauge       tokenfab:tokens_per_joule{tenant,source}: (prompt + completion tokens) / joules
//               of the requests finished so far
//   histogram   tokenfab:ledger_write_seconds: the wait of final bytes for the durable ledger row
// Every series carries model_name="<served name>". Thread-safe: Observe* run
// on the engine's step thread and transport threads, Render on any thread.
#pragma once

#include <memory>
#include <string>

#include "engine/engine_stats.h"
#include "engine/request_summary.h"

#include <prometheus/metric_family.h>

namespace fab::server {

// One finished job's usage, energy and cost.
struct UsageSample {
  std::string tenant;
  std::string energy_source;  // the power source's label
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  double joules = 0.0;
  double cost = 0.0;
  std::string currency;
};

class ServerMetrics {
 public:
  explicit ServerMetrics(std::string model_name);

  // From now on the series a Gateway API Inference Extension endpoint
  // picker scrapes by default are also rendered under vLLM's names:
  // vllm:num_requests_waiting, vllm:num_requests_running,
  // vllm:kv_cache_usage_perc, vllm:lora_requests_info, vllm:cache_config_info
  // (serve --metrics-vllm-aliases). Call before serving.
  void EnableVllmAliases();
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // One engine request ended (called from RequestObserver::OnFinish).
  void ObserveRequest(const engine::RequestSummary& summary);
  // A job's usage once it is booked (any thread).
  void ObserveUsage(const UsageSample& usage);
  // How long a job's final bytes waited for its durable ledger row
  // (tokenfab:ledger_write_seconds).
  void ObserveLedgerWrite(double seconds);
  // One HTTP response went out with `status`.
  void ObserveHttpStatus(int status);
  // A request of `tier` ended, within its SLO or not.
  void ObserveSlo(const std::string& tier, bool within);
  // The text exposition of every metric; gauges and engine-wide counters are
  // taken from `stats` at this moment.
  std::string Render(const engine::EngineStats& stats);
  // The metric families at this moment, as Render takes them.
  std::vector<prometheus::MetricFamily> Collect(const engine::EngineStats& stats);
  // Several models' families as one exposition: the series of families with
  // the same name (they differ by model_name) listed under one name.
  static std::string RenderAll(const std::vector<std::vector<prometheus::MetricFamily>>& per_model);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fab::server
