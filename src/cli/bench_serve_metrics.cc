#include "cli/bench_serve_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/percentile.h"

namespace fab::cli {

LatencySummary Summarize(std::vector<double> values) {
  LatencySummary summary;
  summary.n = static_cast<int64_t>(values.size());
  if (values.empty()) return summary;
  std::sort(values.begin(), values.end());
  summary.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  summary.p50 = Percentile(values, 50);
  summary.p90 = Percentile(values, 90);
  summary.p99 = Percentile(values, 99);
  return summary;
}

double TimePerOutputToken(const RequestRecord& record) {
  if (!record.success || record.first_token_s < 0 || record.n_output_tokens < 2) return -1.0;
  return (record.end_s - record.first_token_s) / static_cast<double>(record.n_output_tokens - 1);
}

namespace {

void KeepError(const std::string& error, std::vector<std::string>* errors) {
  if (errors->size() >= kMaxReportedErrors) return;
  if (std::find(errors->begin(), errors->end(), error) == errors->end()) errors->push_back(error);
}

bool MeetsSlo(const RequestRecord& record, double ttft_s, const SloSpec& slo) {
  const double tpot_s = TimePerOutputToken(record);
  return ttft_s <= slo.ttft_s && (tpot_s < 0 || tpot_s <= slo.tpot_s);
}

}  // namespace

RunMetrics ComputeRunMetrics(const std::vector<RequestRecord>& records, double duration_s, const SloSpec& slo) {
  RunMetrics m;
  m.duration_s = duration_s;
  std::vector<double> ttfts, tpots, itls, e2es;
  int64_t n_good = 0;
  for (const RequestRecord& r : records) {
    if (!r.success) {
      ++m.n_failed;
      KeepError(r.error, &m.first_errors);
      continue;
    }
    ++m.n_completed;
    m.n_prompt_tokens += r.n_prompt_tokens;
    m.n_output_tokens += r.n_output_tokens;
    // A stream without text (e.g. an immediate end) has its first token at its end.
    const double ttft_s = (r.first_token_s >= 0 ? r.first_token_s : r.end_s) - r.start_s;
    ttfts.push_back(ttft_s);
    e2es.push_back(r.end_s - r.start_s);
    if (const double tpot_s = TimePerOutputToken(r); tpot_s >= 0) tpots.push_back(tpot_s);
    for (size_t i = 1; i < r.token_times_s.size(); ++i) itls.push_back(r.token_times_s[i] - r.token_times_s[i - 1]);
    if (MeetsSlo(r, ttft_s, slo)) ++n_good;
  }
  if (duration_s > 0) {
    m.request_throughput = static_cast<double>(m.n_completed) / duration_s;
    m.output_throughput = static_cast<double>(m.n_output_tokens) / duration_s;
    m.total_token_throughput = static_cast<double>(m.n_prompt_tokens + m.n_output_tokens) / duration_s;
    m.goodput = static_cast<double>(n_good) / duration_s;
  }
  m.ttft_s = Summarize(std::move(ttfts));
  m.tpot_s = Summarize(std::move(tpots));
  m.itl_s = Summarize(std::move(itls));
  m.e2e_s = Summarize(std::move(e2es));
  return m;
}

}  // namespace fab::cli
