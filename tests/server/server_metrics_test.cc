#include "server/server_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fab::server {
namespace {

using namespace std::chrono_literals;

// One sample line of the text exposition: `name{labels} value`.
struct Sample {
  std::string name;
  std::string labels;  // between the braces, "" without
  double value = 0.0;
};

// Parses the Prometheus text format strictly enough to catch malformed
// output: every line is a "# HELP name text", a "# TYPE name kind" or a
// sample with a well-formed name, optional balanced labels and a number.
struct Exposition {
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;
  std::vector<Sample> samples;
};

bool IsMetricNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

Exposition ParseExposition(const std::string& text) {
  Exposition exposition;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    SCOPED_TRACE(line);
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, rest;
      words >> name;
      std::getline(words >> std::ws, rest);
      (line[2] == 'H' ? exposition.helps : exposition.types)[name] = rest;
      continue;
    }
    Sample sample;
    size_t i = 0;
    while (i < line.size() && IsMetricNameChar(line[i], i == 0)) ++i;
    sample.name = line.substr(0, i);
    EXPECT_FALSE(sample.name.empty());
    if (i < line.size() && line[i] == '{') {
      const size_t close = line.find('}', i);
      EXPECT_NE(close, std::string::npos);
      if (close == std::string::npos) continue;
      sample.labels = line.substr(i + 1, close - i - 1);
      i = close + 1;
    }
    EXPECT_LT(i, line.size());
    EXPECT_EQ(line[i], ' ');
    char* end = nullptr;
    const std::string value_text = line.substr(i + 1);
    sample.value = std::strtod(value_text.c_str(), &end);
    EXPECT_EQ(*end, '\0') << "trailing text after the value";
    exposition.samples.push_back(sample);
  }
  return exposition;
}

// The value of the one sample named `name` whose labels contain `label`.
double SampleValue(const Exposition& exposition, const std::string& name, const std::string& label = "") {
  for (const Sample& sample : exposition.samples) {
    if (sample.name == name && sample.labels.find(label) != std::string::npos) return sample.value;
  }
  ADD_FAILURE() << "no sample " << name << " with " << label;
  return NAN;
}

engine::RequestSummary FinishedRequest() {
  engine::RequestSummary summary;
  summary.reason = FinishReason::kMaxTokens;
  summary.counters.n_prompt_tokens = 7;
  summary.counters.n_generated = 3;
  const engine::Clock::time_point t0{};
  summary.timings.submitted = t0;
  summary.timings.started = t0 + 10ms;
  summary.timings.first_token = t0 + 30ms;
  summary.timings.inter_token_gaps = {20ms, 40ms};
  summary.timings.finished = t0 + 90ms;
  return summary;
}

TEST(ServerMetrics, RendersEveryMetricWithHelpTypeAndTheModelNameLabel) {
  ServerMetrics metrics("tiny");
  const Exposition exposition = ParseExposition(metrics.Render(engine::EngineStats{}));
  const std::map<std::string, std::string> expected = {
      {"tokenfab:time_to_first_token_seconds", "histogram"},
      {"tokenfab:inter_token_latency_seconds", "histogram"},
      {"tokenfab:e2e_request_latency_seconds", "histogram"},
      {"tokenfab:request_queue_time_seconds", "histogram"},
      {"tokenfab:request_prompt_tokens", "histogram"},
      {"tokenfab:request_generation_tokens", "histogram"},
      {"tokenfab:prompt_tokens_total", "counter"},
      {"tokenfab:generation_tokens_total", "counter"},
      {"tokenfab:num_preemptions_total", "counter"},
      {"tokenfab:prefix_cache_queries_total", "counter"},
      {"tokenfab:prefix_cache_hits_total", "counter"},
      {"tokenfab:num_requests_running", "gauge"},
      {"tokenfab:num_requests_waiting", "gauge"},
      {"tokenfab:kv_cache_usage_perc", "gauge"},
  };
  for (const auto& [name, type] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(exposition.types.count(name));
    EXPECT_EQ(exposition.types.at(name), type);
    ASSERT_TRUE(exposition.helps.count(name));
    EXPECT_FALSE(exposition.helps.at(name).empty());
  }
  ASSERT_FALSE(exposition.samples.empty());
  for (const Sample& sample : exposition.samples) {
    EXPECT_NE(sample.labels.find("model_name=\"tiny\""), std::string::npos) << sample.name;
  }
}

TEST(ServerMetrics, CountsAFinishedRequestInItsHistogramsAndEveryInterTokenGap) {
  ServerMetrics metrics("tiny");
  metrics.ObserveRequest(FinishedRequest());
  const Exposition exposition = ParseExposition(metrics.Render(engine::EngineStats{}));
  EXPECT_EQ(SampleValue(exposition, "tokenfab:time_to_first_token_seconds_count"), 1);
  EXPECT_NEAR(SampleValue(exposition, "tokenfab:time_to_first_token_seconds_sum"), 0.030, 1e-9);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:time_to_first_token_seconds_bucket", "le=\"0.02\""), 0);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:time_to_first_token_seconds_bucket", "le=\"0.04\""), 1);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:inter_token_latency_seconds_count"), 2);
  EXPECT_NEAR(SampleValue(exposition, "tokenfab:inter_token_latency_seconds_sum"), 0.060, 1e-9);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:e2e_request_latency_seconds_count"), 1);
  EXPECT_NEAR(SampleValue(exposition, "tokenfab:request_queue_time_seconds_sum"), 0.010, 1e-9);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:request_prompt_tokens_bucket", "le=\"5\""), 0);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:request_prompt_tokens_bucket", "le=\"10\""), 1);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:request_generation_tokens_sum"), 3);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:request_success_total", "finished_reason=\"length\""), 1);
}

TEST(ServerMetrics, LeavesTimeToFirstTokenUnobservedForARequestWithoutTokens) {
  ServerMetrics metrics("tiny");
  engine::RequestSummary summary = FinishedRequest();
  summary.reason = FinishReason::kCancelled;
  summary.timings.first_token.reset();
  summary.timings.inter_token_gaps.clear();
  metrics.ObserveRequest(summary);
  const Exposition exposition = ParseExposition(metrics.Render(engine::EngineStats{}));
  EXPECT_EQ(SampleValue(exposition, "tokenfab:time_to_first_token_seconds_count"), 0);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:e2e_request_latency_seconds_count"), 1);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:request_success_total", "finished_reason=\"abort\""), 1);
}

TEST(ServerMetrics, GaugesFollowTheEngineStatsOfEachRender) {
  ServerMetrics metrics("tiny");
  engine::EngineStats stats;
  stats.n_running = 3;
  stats.n_waiting = 5;
  stats.kv_usage = 0.25;
  Exposition exposition = ParseExposition(metrics.Render(stats));
  EXPECT_EQ(SampleValue(exposition, "tokenfab:num_requests_running"), 3);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:num_requests_waiting"), 5);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:kv_cache_usage_perc"), 0.25);

  exposition = ParseExposition(metrics.Render(engine::EngineStats{}));
  EXPECT_EQ(SampleValue(exposition, "tokenfab:num_requests_running"), 0);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:kv_cache_usage_perc"), 0);
}

TEST(ServerMetrics, CountersFollowEngineTotalsAndNeverGoDown) {
  ServerMetrics metrics("tiny");
  engine::EngineStats stats;
  stats.n_prompt_tokens = 10;
  stats.n_generated_tokens = 4;
  stats.n_preemptions = 1;
  stats.n_prefix_query_tokens = 10;
  stats.n_prefix_hit_tokens = 2;
  Exposition exposition = ParseExposition(metrics.Render(stats));
  EXPECT_EQ(SampleValue(exposition, "tokenfab:prompt_tokens_total"), 10);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:generation_tokens_total"), 4);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:num_preemptions_total"), 1);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:prefix_cache_queries_total"), 10);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:prefix_cache_hits_total"), 2);

  stats.n_generated_tokens = 9;
  exposition = ParseExposition(metrics.Render(stats));
  EXPECT_EQ(SampleValue(exposition, "tokenfab:generation_tokens_total"), 9);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:prompt_tokens_total"), 10);

  exposition = ParseExposition(metrics.Render(engine::EngineStats{}));  // a stale snapshot
  EXPECT_EQ(SampleValue(exposition, "tokenfab:generation_tokens_total"), 9);
}

TEST(ServerMetrics, CountsHttpResponsesByStatus) {
  ServerMetrics metrics("tiny");
  metrics.ObserveHttpStatus(200);
  metrics.ObserveHttpStatus(200);
  metrics.ObserveHttpStatus(404);
  const Exposition exposition = ParseExposition(metrics.Render(engine::EngineStats{}));
  EXPECT_EQ(exposition.types.at("tokenfab:http_requests_total"), "counter");
  EXPECT_EQ(SampleValue(exposition, "tokenfab:http_requests_total", "status=\"200\""), 2);
  EXPECT_EQ(SampleValue(exposition, "tokenfab:http_requests_total", "status=\"404\""), 1);
}

}  // namespace
}  // namespace fab::server
