#include "cli/bench_serve_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <boost/json.hpp>

namespace fab::cli {
namespace {

namespace json = boost::json;

constexpr int kTableWidth = 50;

std::string Line(const char* label, const std::string& value) {
  char text[160];
  std::snprintf(text, sizeof(text), "%-42s%s\n", label, value.c_str());
  return text;
}

std::string Number(double value, int decimals = 2) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

std::string Rule(const char* title, char fill) {
  const int n_title = static_cast<int>(std::string(title).size());
  const int left = (kTableWidth - n_title) / 2;
  return std::string(static_cast<size_t>(std::max(left, 0)), fill) + title +
         std::string(static_cast<size_t>(std::max(kTableWidth - left - n_title, 0)), fill) + "\n";
}

std::string LatencyLines(const char* name, const LatencySummary& s, bool with_mean, bool with_p90) {
  std::string out;
  const auto line = [&](const char* stat, double seconds) {
    out += Line((std::string(stat) + " " + name + " (ms):").c_str(), Number(seconds * 1e3));
  };
  if (with_mean) line("Mean", s.mean);
  line("Median", s.p50);
  if (with_p90) line("P90", s.p90);
  line("P99", s.p99);
  return out;
}

json::object LatencyJson(const LatencySummary& s) {
  return json::object{{"mean", s.mean * 1e3}, {"p50", s.p50 * 1e3}, {"p90", s.p90 * 1e3}, {"p99", s.p99 * 1e3},
                      {"n", s.n}};
}

json::object ConfigJson(const BenchServeResult& r, const BenchServeOptions& o) {
  json::object config{{"base_url", o.base_url},
                      {"endpoint", o.endpoint},
                      {"model", r.model},
                      {"num_prompts", o.num_prompts},
                      {"request_rate", FormatRequestRate(r.run.request_rate)},
                      {"seed", r.seed},
                      {"ttft_slo_ms", o.ttft_slo_ms},
                      {"tpot_slo_ms", o.tpot_slo_ms},
                      {"ignore_eos", o.ignore_eos}};
  if (!o.extra_body.empty()) config["extra_body"] = json::parse(o.extra_body);
  config["max_concurrency"] = r.run.max_concurrency > 0 ? json::value(r.run.max_concurrency) : json::value(nullptr);
  if (o.dataset_path.empty()) {
    config["random_input_len"] = o.random_input_len;
    config["random_range_ratio"] = o.random_range_ratio;
    config["random_token_range"] = json::array{o.random_token_range[0], o.random_token_range[1]};
  } else {
    config["dataset"] = o.dataset_path;
  }
  config["random_output_len"] = o.random_output_len;
  return config;
}

}  // namespace

std::string FormatRequestRate(double rate) {
  if (std::isinf(rate)) return "inf";
  std::string text = Number(rate, 3);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string FormatConcurrency(int max_concurrency) {
  return max_concurrency > 0 ? std::to_string(max_concurrency) : "unlimited";
}

std::string FormatRunTable(const BenchServeResult& result, const SloSpec& slo) {
  const RunMetrics& m = result.metrics;
  std::string out = Rule(" Serving Benchmark Result ", '=');
  out += Line("Maximum request concurrency:", FormatConcurrency(result.run.max_concurrency));
  out += Line("Request rate (req/s):", FormatRequestRate(result.run.request_rate));
  out += Line("Successful requests:", std::to_string(m.n_completed));
  out += Line("Failed requests:", std::to_string(m.n_failed));
  out += Line("Benchmark duration (s):", Number(m.duration_s));
  out += Line("Total input tokens:", std::to_string(m.n_prompt_tokens));
  out += Line("Total generated tokens:", std::to_string(m.n_output_tokens));
  out += Line("Request throughput (req/s):", Number(m.request_throughput));
  out += Line("Output token throughput (tok/s):", Number(m.output_throughput));
  out += Line("Total token throughput (tok/s):", Number(m.total_token_throughput));
  out += Line("SLOs of goodput (TTFT, TPOT ms):", Number(slo.ttft_s * 1e3, 0) + ", " + Number(slo.tpot_s * 1e3, 0));
  out += Line("Goodput (req/s):", Number(m.goodput));
  if (m.joules && m.metered_tokens && *m.metered_tokens > 0) {
    out += Line("Energy (J):", Number(*m.joules));
    out += Line("Joules per token (prompt+output):", Number(*m.joules / *m.metered_tokens, 4));
    out += Line("Output tokens per joule:", Number(*m.joules > 0 ? m.n_output_tokens / *m.joules : 0.0, 3));
    const std::string label = "Cost per million tokens (" + (m.currency.empty() ? std::string("-") : m.currency) + "):";
    out += Line(label.c_str(), Number(m.cost.value_or(0) / *m.metered_tokens * 1e6, 4));
  }
  out += Rule("Time to First Token", '-');
  out += LatencyLines("TTFT", m.ttft_s, true, true);
  out += Rule("Time per Output Token (excl. 1st token)", '-');
  out += LatencyLines("TPOT", m.tpot_s, true, true);
  out += Rule("Inter-token Latency", '-');
  out += LatencyLines("ITL", m.itl_s, false, true);
  out += Rule("End-to-end Latency", '-');
  out += LatencyLines("E2E", m.e2e_s, false, false);
  out += std::string(kTableWidth, '=') + "\n";
  for (const std::string& error : m.first_errors) out += "error: " + error + "\n";
  return out;
}

std::string FormatSweepSummary(const std::vector<BenchServeResult>& results) {
  std::string out = "concurrency  rate   ok/failed  out tok/s  TTFT p50 ms  TTFT p99 ms  TPOT p50 ms  TPOT p99 ms\n";
  for (const BenchServeResult& r : results) {
    const RunMetrics& m = r.metrics;
    char line[256];
    std::snprintf(line, sizeof(line), "%-11s  %-5s  %4lld/%-4lld  %9.2f  %11.1f  %11.1f  %11.1f  %11.1f\n",
                  FormatConcurrency(r.run.max_concurrency).c_str(), FormatRequestRate(r.run.request_rate).c_str(),
                  static_cast<long long>(m.n_completed), static_cast<long long>(m.n_failed), m.output_throughput,
                  m.ttft_s.p50 * 1e3, m.ttft_s.p99 * 1e3, m.tpot_s.p50 * 1e3, m.tpot_s.p99 * 1e3);
    out += line;
  }
  return out;
}

std::string FormatRunsJson(const std::vector<BenchServeResult>& results, const BenchServeOptions& options) {
  json::array runs;
  for (const BenchServeResult& r : results) {
    const RunMetrics& m = r.metrics;
    json::array errors;
    for (const std::string& error : m.first_errors) errors.emplace_back(error);
    runs.emplace_back(json::object{{"config", ConfigJson(r, options)},
                                   {"completed", m.n_completed},
                                   {"failed", m.n_failed},
                                   {"duration_s", m.duration_s},
                                   {"total_input_tokens", m.n_prompt_tokens},
                                   {"total_output_tokens", m.n_output_tokens},
                                   {"request_throughput", m.request_throughput},
                                   {"output_throughput", m.output_throughput},
                                   {"total_token_throughput", m.total_token_throughput},
                                   {"goodput", m.goodput},
                                   {"ttft_ms", LatencyJson(m.ttft_s)},
                                   {"tpot_ms", LatencyJson(m.tpot_s)},
                                   {"itl_ms", LatencyJson(m.itl_s)},
                                   {"e2e_ms", LatencyJson(m.e2e_s)},
                                   {"joules", m.joules ? json::value(*m.joules) : json::value(nullptr)},
                                   {"joules_per_token", m.joules && m.metered_tokens && *m.metered_tokens > 0
                                                            ? json::value(*m.joules / *m.metered_tokens)
                                                            : json::value(nullptr)},
                                   {"cost", m.cost ? json::value(*m.cost) : json::value(nullptr)},
                                   {"cost_per_mtok", m.cost && m.metered_tokens && *m.metered_tokens > 0
                                                         ? json::value(*m.cost / *m.metered_tokens * 1e6)
                                                         : json::value(nullptr)},
                                   {"errors", std::move(errors)}});
  }
  return json::serialize(runs) + "\n";
}

}  // namespace fab::cli
