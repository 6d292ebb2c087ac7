#include "cli/bench_serve_options.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include <boost/json.hpp>

#include "server/http_url.h"

namespace fab::cli {
namespace {

Status CheckRange(const char* name, double value, double low, double high) {
  if (std::isnan(value) || value < low || value > high) {
    return InvalidArgumentError(std::string(name) + " must be in [" + std::to_string(low) + ", " +
                                std::to_string(high) + "], not " + std::to_string(value));
  }
  return OkStatus();
}

Status CheckLengths(const BenchServeOptions& o) {
  FAB_RETURN_IF_ERROR(CheckRange("--num-prompts", static_cast<double>(o.num_prompts), 1, kMaxBenchPrompts));
  FAB_RETURN_IF_ERROR(CheckRange("--random-input-len", static_cast<double>(o.random_input_len), 1, kMaxBenchTokens));
  FAB_RETURN_IF_ERROR(CheckRange("--random-output-len", static_cast<double>(o.random_output_len), 1, kMaxBenchTokens));
  FAB_RETURN_IF_ERROR(CheckRange("--random-range-ratio", o.random_range_ratio, 0.0, 1.0));
  FAB_RETURN_IF_ERROR(CheckRange("--ttft-slo-ms", o.ttft_slo_ms, 0.0, 1e9));
  FAB_RETURN_IF_ERROR(CheckRange("--tpot-slo-ms", o.tpot_slo_ms, 0.0, 1e9));
  FAB_RETURN_IF_ERROR(CheckRange("--timeout", o.timeout_s, 0.001, 86400.0));
  const double longest_prompt = std::ceil(static_cast<double>(o.random_input_len) * (1.0 + o.random_range_ratio));
  if (o.dataset_path.empty() && static_cast<double>(o.num_prompts) * longest_prompt > kMaxBenchPromptTokensPerRun) {
    return InvalidArgumentError("--num-prompts × --random-input-len must stay within " +
                                std::to_string(kMaxBenchPromptTokensPerRun) + " prompt tokens per run");
  }
  const std::vector<int32_t>& ids = o.random_token_range;
  if (ids.size() != 2 || ids[0] < 0 || ids[0] >= ids[1]) {
    return InvalidArgumentError("--random-token-range must be MIN,MAX with 0 <= MIN < MAX");
  }
  return OkStatus();
}

Status CheckExtraBody(const BenchServeOptions& o) {
  if (o.extra_body.empty()) return OkStatus();
  boost::system::error_code error;
  const boost::json::value extra = boost::json::parse(o.extra_body, error);
  if (error || !extra.is_object()) return InvalidArgumentError("--extra-body must be a JSON object");
  return OkStatus();
}

Status CheckTarget(const BenchServeOptions& o) {
  StatusOr<server::HttpUrl> url = server::ParseHttpUrl(o.base_url);
  if (!url.ok()) return url.status().WithContext("--base-url");
  if (o.endpoint != "/v1/completions" && o.endpoint != "/v1/chat/completions") {
    return InvalidArgumentError("--endpoint must be /v1/completions or /v1/chat/completions, not '" + o.endpoint + "'");
  }
  if (o.endpoint == "/v1/chat/completions" && o.dataset_path.empty()) {
    return InvalidArgumentError("--endpoint /v1/chat/completions needs text prompts: give --dataset");
  }
  return OkStatus();
}

}  // namespace

StatusOr<double> ParseRequestRate(const std::string& text) {
  if (text == "inf" || text == "infinity") return std::numeric_limits<double>::infinity();
  char* end = nullptr;
  const double rate = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(rate) || rate <= 0.0) {
    return InvalidArgumentError("--request-rate must be 'inf' or a number > 0, not '" + text + "'");
  }
  return rate;
}

StatusOr<std::vector<BenchServeRun>> PlanBenchServeRuns(const BenchServeOptions& options) {
  FAB_RETURN_IF_ERROR(CheckLengths(options));
  FAB_RETURN_IF_ERROR(CheckTarget(options));
  FAB_RETURN_IF_ERROR(CheckExtraBody(options));
  if (options.request_rates.empty()) return InvalidArgumentError("--request-rate needs at least one value");
  std::vector<double> rates;
  for (const std::string& text : options.request_rates) {
    FAB_ASSIGN_OR_RETURN(const double rate, ParseRequestRate(text));
    rates.push_back(rate);
  }
  std::vector<int> concurrencies = options.max_concurrency;
  if (concurrencies.empty()) concurrencies.push_back(0);
  std::vector<BenchServeRun> runs;
  for (const int concurrency : concurrencies) {
    if (concurrency < 1 && !options.max_concurrency.empty()) {
      return InvalidArgumentError("--max-concurrency must be >= 1, not " + std::to_string(concurrency));
    }
    if (concurrency > kMaxBenchWorkers) {
      return InvalidArgumentError("--max-concurrency must be <= " + std::to_string(kMaxBenchWorkers));
    }
    for (const double rate : rates) runs.push_back(BenchServeRun{rate, concurrency});
  }
  return runs;
}

}  // namespace fab::cli
