#include "server/server_metrics.h"

#include <limits>

#include <algorithm>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <sstream>
#include <utility>

namespace fab::server {
namespace {

using prometheus::Histogram;

// Bucket boundaries as vLLM's (seconds).
const Histogram::BucketBoundaries kTimeToFirstTokenBuckets = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
    1.0,   2.5,   5.0,  7.5,  10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
const Histogram::BucketBoundaries kInterTokenLatencyBuckets = {
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
const Histogram::BucketBoundaries kRequestLatencyBuckets = {
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0,
    120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

// 1, 2, 5, 10, 20, 50, … up to `max` (token counts).
Histogram::BucketBoundaries OneTwoFiveBuckets(double max) {
  Histogram::BucketBoundaries buckets;
  for (double decade = 1.0; decade <= max; decade *= 10.0) {
    for (double step : {1.0, 2.0, 5.0}) {
      if (decade * step <= max) buckets.push_back(decade * step);
    }
  }
  return buckets;
}
constexpr double kMaxTokenCountBucket = 1e6;

// The finished_reason label, with vLLM's values where the meaning matches.
// Stop strings are matched by the server, which cancels the engine request;
// the generation job reports those as kStopString: "stop", as vLLM counts them.
const char* FinishedReasonLabel(FinishReason reason) {
  switch (reason) {
    case FinishReason::kMaxTokens: return "length";
    case FinishReason::kStopToken: return "stop";
    case FinishReason::kStopString: return "stop";
    case FinishReason::kCancelled: return "abort";
    case FinishReason::kKvCacheFull: return "kv_cache_full";
    case FinishReason::kError: return "error";
  }
  return "unknown";
}

double Seconds(engine::Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

// A Prometheus counter fed from a monotonic engine total: each sync adds the
// growth since the previous one (a total that went down adds nothing).
class TotalCounter {
 public:
  explicit TotalCounter(prometheus::Counter& counter) : counter_(counter) {}
  void SyncTo(int64_t total) {
    if (total <= last_total_) return;
    counter_.Increment(static_cast<double>(total - last_total_));
    last_total_ = total;
  }

 private:
  prometheus::Counter& counter_;
  int64_t last_total_ = 0;
};

}  // namespace

struct ServerMetrics::Impl {
  explicit Impl(const std::string& model_name);

  prometheus::Registry registry;
  prometheus::Labels labels;

  Histogram* time_to_first_token = nullptr;
  Histogram* inter_token_latency = nullptr;
  Histogram* e2e_request_latency = nullptr;
  Histogram* request_queue_time = nullptr;
  Histogram* request_prompt_tokens = nullptr;
  Histogram* request_generation_tokens = nullptr;

  prometheus::Family<prometheus::Counter>* request_success = nullptr;
  prometheus::Family<prometheus::Counter>* http_requests = nullptr;
  prometheus::Family<prometheus::Counter>* slo_requests = nullptr;
  prometheus::Family<prometheus::Counter>* slo_goodput = nullptr;
  prometheus::Family<prometheus::Gauge>* slo_attainment = nullptr;

  prometheus::Gauge* num_requests_running = nullptr;
  prometheus::Gauge* num_requests_waiting = nullptr;
  prometheus::Gauge* kv_cache_usage = nullptr;
  prometheus::Gauge* power_budget = nullptr;
  prometheus::Gauge* power_watts = nullptr;
  prometheus::Gauge* power_level = nullptr;
  prometheus::Gauge* power_duty = nullptr;
  prometheus::Gauge* num_requests_deferred = nullptr;
  prometheus::Family<prometheus::Gauge>* cache_config_info = nullptr;
  prometheus::Family<prometheus::Gauge>* lora_requests_info = nullptr;
  // vLLM-named aliases (EnableVllmAliases); null until enabled.
  prometheus::Gauge* vllm_waiting = nullptr;
  prometheus::Gauge* vllm_running = nullptr;
  prometheus::Gauge* vllm_kv_usage = nullptr;
  prometheus::Family<prometheus::Gauge>* vllm_cache_config_info = nullptr;
  prometheus::Family<prometheus::Gauge>* vllm_lora_requests_info = nullptr;

  prometheus::Family<prometheus::Gauge>* AddInfoFamily(const std::string& name, const std::string& help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Labels(labels).Register(registry);
  }
  void AddVllmAliases() {
    vllm_waiting = AddGauge("vllm:num_requests_waiting", "Alias of tokenfab:num_requests_waiting.");
    vllm_running = AddGauge("vllm:num_requests_running", "Alias of tokenfab:num_requests_running.");
    vllm_kv_usage = AddGauge("vllm:kv_cache_usage_perc", "Alias of tokenfab:kv_cache_usage_perc.");
    vllm_cache_config_info = AddInfoFamily("vllm:cache_config_info", "Alias of tokenfab:cache_config_info.");
    vllm_lora_requests_info = AddInfoFamily("vllm:lora_requests_info", "Alias of tokenfab:lora_requests_info.");
  }

  std::mutex totals_mutex;  // guards the TotalCounters' last values
  std::optional<TotalCounter> prompt_tokens;
  std::optional<TotalCounter> generation_tokens;
  std::optional<TotalCounter> preemptions;
  std::optional<TotalCounter> prefix_cache_queries;
  std::optional<TotalCounter> prefix_cache_hits;
  prometheus::Family<prometheus::Counter>* energy_joules = nullptr;
  prometheus::Family<prometheus::Counter>* cost = nullptr;
  prometheus::Family<prometheus::Counter>* metered_tokens = nullptr;
  prometheus::Family<prometheus::Counter>* idle_energy_joules = nullptr;
  prometheus::Family<prometheus::Gauge>* tokens_per_joule = nullptr;
  Histogram* ledger_write = nullptr;
  double idle_joules_synced = 0.0;  // guarded by totals_mutex

 private:
  Histogram* AddHistogram(const std::string& name, const std::string& help,
                          const Histogram::BucketBoundaries& buckets) {
    return &prometheus::BuildHistogram().Name(name).Help(help).Labels(labels).Register(registry).Add({}, buckets);
  }
  prometheus::Counter& AddCounter(const std::string& name, const std::string& help) {
    return prometheus::BuildCounter().Name(name).Help(help).Labels(labels).Register(registry).Add({});
  }
  prometheus::Gauge* AddGauge(const std::string& name, const std::string& help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Labels(labels).Register(registry).Add({});
  }
};

ServerMetrics::Impl::Impl(const std::string& model_name) : labels{{"model_name", model_name}} {
  const Histogram::BucketBoundaries token_buckets = OneTwoFiveBuckets(kMaxTokenCountBucket);
  time_to_first_token = AddHistogram("tokenfab:time_to_first_token_seconds",
                                     "Seconds from submission to the first generated token.",
                                     kTimeToFirstTokenBuckets);
  inter_token_latency = AddHistogram("tokenfab:inter_token_latency_seconds",
                                     "Seconds between consecutive generated tokens of one request.",
                                     kInterTokenLatencyBuckets);
  e2e_request_latency = AddHistogram("tokenfab:e2e_request_latency_seconds",
                                     "Seconds from submission to the end of a request.", kRequestLatencyBuckets);
  request_queue_time = AddHistogram("tokenfab:request_queue_time_seconds",
                                    "Seconds a request waited before its first step.", kRequestLatencyBuckets);
  request_prompt_tokens =
      AddHistogram("tokenfab:request_prompt_tokens", "Prompt tokens per finished request.", token_buckets);
  request_generation_tokens = AddHistogram("tokenfab:request_generation_tokens",
                                           "Generated tokens per finished request.", token_buckets);

  request_success = &prometheus::BuildCounter()
                         .Name("tokenfab:request_success_total")
                         .Help("Finished engine requests by finish reason.")
                         .Labels(labels)
                         .Register(registry);
  http_requests = &prometheus::BuildCounter()
                       .Name("tokenfab:http_requests_total")
                       .Help("HTTP responses sent, by status code.")
                       .Labels(labels)
                       .Register(registry);
  slo_requests = &prometheus::BuildCounter()
                      .Name("tokenfab:slo_requests_total")
                      .Help("Generation requests that ended, by tier (client cancellations not counted).")
                      .Labels(labels)
                      .Register(registry);
  slo_goodput = &prometheus::BuildCounter()
                     .Name("tokenfab:slo_goodput_requests_total")
                     .Help("Requests that ended within their tier's TTFT and TPOT objectives (its rate is the goodput).")
                     .Labels(labels)
                     .Register(registry);
  slo_attainment = &prometheus::BuildGauge()
                        .Name("tokenfab:slo_attainment_ratio")
                        .Help("The share of a tier's requests that ended within its objectives.")
                        .Labels(labels)
                        .Register(registry);

  prompt_tokens.emplace(AddCounter("tokenfab:prompt_tokens_total", "Prompt tokens of finished requests."));
  generation_tokens.emplace(AddCounter("tokenfab:generation_tokens_total", "Generated tokens."));
  preemptions.emplace(AddCounter("tokenfab:num_preemptions_total", "Requests preempted by the scheduler."));
  prefix_cache_queries.emplace(AddCounter("tokenfab:prefix_cache_queries_total",
                                          "Prompt tokens looked up in the prefix cache."));
  prefix_cache_hits.emplace(
      AddCounter("tokenfab:prefix_cache_hits_total", "Prompt tokens found in the prefix cache."));

  const auto counter_family = [&](const char* name, const char* help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Labels(labels).Register(registry);
  };
  energy_joules = counter_family("tokenfab:energy_joules_total",
                                 "Joules of finished requests (their token shares of the steps that computed them).");
  cost = counter_family("tokenfab:cost_total", "Cost of finished requests: energy at the PUE and price, and machine time.");
  metered_tokens = counter_family("tokenfab:metered_tokens_total", "Tokens of finished requests, by tenant and kind.");
  idle_energy_joules = counter_family("tokenfab:idle_energy_joules_total", "Joules spent with no request to compute.");
  tokens_per_joule = &prometheus::BuildGauge()
                          .Name("tokenfab:tokens_per_joule")
                          .Help("(Prompt + completion tokens) / joules of the requests finished so far.")
                          .Labels(labels)
                          .Register(registry);
  ledger_write = AddHistogram("tokenfab:ledger_write_seconds",
                              "Seconds a request's final bytes waited for its durable ledger row (group commit).",
                              {0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1,
                               0.2, 0.5, 1.0, 2.0, 5.0});
  num_requests_running = AddGauge("tokenfab:num_requests_running", "Requests admitted and holding KV cache.");
  num_requests_waiting = AddGauge("tokenfab:num_requests_waiting", "Requests submitted and not running.");
  kv_cache_usage = AddGauge("tokenfab:kv_cache_usage_perc", "Fraction of KV cache blocks in use (0..1).");
  power_budget = AddGauge("tokenfab:power_budget_watts", "The power budget the engine keeps under (+Inf: none).");
  power_watts = AddGauge("tokenfab:power_watts", "The engine's measured or modelled draw, mean over the limiter's window.");
  power_level = AddGauge("tokenfab:power_shed_level",
                         "0 nothing held back, 1 batch deferred, 2 and standard slowed, 3 and rests between steps.");
  power_duty = AddGauge("tokenfab:power_duty", "Fraction of the time the engine may step (1 unless resting).");
  num_requests_deferred = AddGauge("tokenfab:num_requests_deferred", "Live requests the power limiter holds back.");
  cache_config_info = AddInfoFamily("tokenfab:cache_config_info",
                                    "1, labelled with the KV cache's block_size (tokens) and num_gpu_blocks (blocks).");
  lora_requests_info = AddInfoFamily("tokenfab:lora_requests_info",
                                     "The Unix time, labelled with max_lora and the running and waiting adapters.");
}

ServerMetrics::ServerMetrics(std::string model_name) : impl_(std::make_unique<Impl>(model_name)) {}

ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::ObserveRequest(const engine::RequestSummary& summary) {
  const engine::RequestTimings& timings = summary.timings;
  if (const std::optional<double> ttft = timings.time_to_first_token_seconds()) {
    impl_->time_to_first_token->Observe(*ttft);
  }
  for (engine::Clock::duration gap : timings.inter_token_gaps) impl_->inter_token_latency->Observe(Seconds(gap));
  impl_->e2e_request_latency->Observe(timings.end_to_end_seconds());
  impl_->request_queue_time->Observe(timings.queue_seconds());
  impl_->request_prompt_tokens->Observe(static_cast<double>(summary.counters.n_prompt_tokens));
  impl_->request_generation_tokens->Observe(static_cast<double>(summary.counters.n_generated));
  impl_->request_success->Add({{"finished_reason", FinishedReasonLabel(summary.reason)}}).Increment();
}

void ServerMetrics::ObserveUsage(const UsageSample& usage) {
  prometheus::Counter& energy = impl_->energy_joules->Add({{"tenant", usage.tenant}, {"source", usage.energy_source}});
  energy.Increment(usage.joules);
  impl_->cost->Add({{"tenant", usage.tenant}, {"currency", usage.currency}}).Increment(usage.cost);
  prometheus::Counter& prompt = impl_->metered_tokens->Add({{"tenant", usage.tenant}, {"kind", "prompt"}});
  prometheus::Counter& completion = impl_->metered_tokens->Add({{"tenant", usage.tenant}, {"kind", "completion"}});
  prompt.Increment(static_cast<double>(usage.prompt_tokens));
  completion.Increment(static_cast<double>(usage.completion_tokens));
  const double joules = energy.Value();
  if (joules > 0.0) {
    impl_->tokens_per_joule->Add({{"tenant", usage.tenant}, {"source", usage.energy_source}})
        .Set((prompt.Value() + completion.Value()) / joules);
  }
}

void ServerMetrics::ObserveLedgerWrite(double seconds) { impl_->ledger_write->Observe(seconds); }

void ServerMetrics::ObserveHttpStatus(int status) {
  impl_->http_requests->Add({{"status", std::to_string(status)}}).Increment();
}

void ServerMetrics::EnableVllmAliases() { impl_->AddVllmAliases(); }

void ServerMetrics::ObserveSlo(const std::string& tier, bool within) {
  prometheus::Counter& total = impl_->slo_requests->Add({{"tier", tier}});
  prometheus::Counter& good = impl_->slo_goodput->Add({{"tier", tier}});
  total.Increment();
  if (within) good.Increment();
  impl_->slo_attainment->Add({{"tier", tier}}).Set(good.Value() / total.Value());
}

std::string ServerMetrics::Render(const engine::EngineStats& stats) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Collect(stats));
  return out.str();
}

std::string ServerMetrics::RenderAll(const std::vector<std::vector<prometheus::MetricFamily>>& per_model) {
  std::vector<prometheus::MetricFamily> merged;
  for (const std::vector<prometheus::MetricFamily>& families : per_model) {
    for (const prometheus::MetricFamily& family : families) {
      auto same = std::find_if(merged.begin(), merged.end(),
                               [&](const prometheus::MetricFamily& f) { return f.name == family.name; });
      if (same == merged.end()) {
        merged.push_back(family);
      } else {
        same->metric.insert(same->metric.end(), family.metric.begin(), family.metric.end());
      }
    }
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, merged);
  return out.str();
}

std::vector<prometheus::MetricFamily> ServerMetrics::Collect(const engine::EngineStats& stats) {
  {
    std::lock_guard lock(impl_->totals_mutex);
    impl_->prompt_tokens->SyncTo(stats.n_prompt_tokens);
    impl_->generation_tokens->SyncTo(stats.n_generated_tokens);
    impl_->preemptions->SyncTo(stats.n_preemptions);
    impl_->prefix_cache_queries->SyncTo(stats.n_prefix_query_tokens);
    impl_->prefix_cache_hits->SyncTo(stats.n_prefix_hit_tokens);
    if (stats.idle_joules > impl_->idle_joules_synced) {
      impl_->idle_energy_joules->Add({{"source", stats.energy_source}})
          .Increment(stats.idle_joules - impl_->idle_joules_synced);
      impl_->idle_joules_synced = stats.idle_joules;
    }
  }
  impl_->num_requests_running->Set(stats.n_running);
  impl_->num_requests_waiting->Set(stats.n_waiting);
  impl_->kv_cache_usage->Set(stats.kv_usage);
  impl_->power_budget->Set(stats.power_budget_watts < 0 ? std::numeric_limits<double>::infinity()
                                                          : stats.power_budget_watts);
  if (stats.power_watts >= 0) impl_->power_watts->Set(stats.power_watts);
  impl_->power_level->Set(stats.power_level);
  impl_->power_duty->Set(stats.power_duty);
  impl_->num_requests_deferred->Set(stats.n_deferred);
  const prometheus::Labels cache_labels{{"block_size", std::to_string(stats.kv_block_size)},
                                        {"num_gpu_blocks", std::to_string(stats.n_kv_blocks_total)}};
  const prometheus::Labels lora_labels{{"max_lora", "0"}, {"running_lora_adapters", ""}, {"waiting_lora_adapters", ""}};
  const double now_s = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  impl_->cache_config_info->Add(cache_labels).Set(1.0);
  impl_->lora_requests_info->Add(lora_labels).Set(now_s);
  if (impl_->vllm_waiting != nullptr) {
    impl_->vllm_waiting->Set(stats.n_waiting);
    impl_->vllm_running->Set(stats.n_running);
    impl_->vllm_kv_usage->Set(stats.kv_usage);
    impl_->vllm_cache_config_info->Add(cache_labels).Set(1.0);
    impl_->vllm_lora_requests_info->Add(lora_labels).Set(now_s);
  }
  return impl_->registry.Collect();
}

}  // namespace fab::server
