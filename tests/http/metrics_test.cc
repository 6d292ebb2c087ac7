// GET /metrics of the live `tokenfab serve` accounts for exactly the traffic
// sent: prompt and generation token counters equal the sums of the `usage`
// the clients received, each finished request is one request_success_total
// sample with its reason and one observation in the TTFT, e2e-latency and
// token-count histograms, inter-token latencies number completion_tokens − 1
// per request, and http_requests_total counts statuses. Served as the
// Prometheus text format (HELP/TYPE lines, model_name label on every series).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

Usage UsageOf(const std::string& body) {
  const boost::json::value value = boost::json::parse(body);
  return {value.at("usage").at("prompt_tokens").to_number<int64_t>(),
          value.at("usage").at("completion_tokens").to_number<int64_t>()};
}

TEST(Metrics, CountExactlyTheTokensAndRequestsThatWereServed) {
  std::string error;
  std::unique_ptr<ServeProcess> server = ServeProcess::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();
  const std::string model = std::string(R"("model":")") + kTestModelName + R"(",)";

  const RawResponse completion =
      PostJson(port, "/v1/completions",
               "{" + model + R"("prompt":"Once upon a time","max_tokens":5,"temperature":0})");
  ASSERT_EQ(completion.status, 200) << completion.body;
  const RawResponse chat =
      PostJson(port, "/v1/chat/completions",
               "{" + model +
                   R"("messages":[{"role":"user","content":"Hello there"}],"max_tokens":4,"temperature":0})");
  ASSERT_EQ(chat.status, 200) << chat.body;
  const RawResponse batch =
      PostJson(port, "/v1/completions",
               "{" + model + R"("prompt":["one","two three"],"max_tokens":3,"n":2,"temperature":0.5})");
  ASSERT_EQ(batch.status, 200) << batch.body;
  ASSERT_EQ(PostJson(port, "/v1/completions", "{" + model + R"("prompt":"x","max_tokens":-1})").status, 400);

  const Usage a = UsageOf(completion.body);
  const Usage b = UsageOf(chat.body);
  const Usage c = UsageOf(batch.body);  // 2 prompts × n 2: 4 engine requests
  ASSERT_EQ(a.completion_tokens, 5);
  ASSERT_EQ(b.completion_tokens, 4);
  ASSERT_EQ(c.completion_tokens, 12);
  constexpr int kEngineRequests = 6;

  // A response is counted once it is written, so the client can ask before
  // the last one is: wait (bounded) until all four show.
  RawResponse metrics;
  WaitUntil(std::chrono::seconds(5), [&] {
    metrics = Get(port, "/metrics");
    return MetricValue(metrics.body, "tokenfab:http_requests_total", R"(status="400")") == 1.0 &&
           MetricValue(metrics.body, "tokenfab:http_requests_total", R"(status="200")").value_or(0) >= 3.0;
  });
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.Header("content-type").rfind("text/plain", 0), 0u) << metrics.Header("content-type");
  const std::string& text = metrics.body;
  EXPECT_NE(text.find("# TYPE tokenfab:time_to_first_token_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tokenfab:num_requests_running gauge"), std::string::npos);
  EXPECT_NE(text.find(std::string(R"(model_name=")") + kTestModelName + "\""), std::string::npos);

  // Each prompt is prefilled once per choice in usage (OpenAI counts the
  // prompt once per prompt, not per choice): compare with what the engine saw.
  const std::optional<double> prompt_total = MetricValue(text, "tokenfab:prompt_tokens_total");
  ASSERT_TRUE(prompt_total.has_value()) << text;
  EXPECT_GE(*prompt_total, static_cast<double>(a.prompt_tokens + b.prompt_tokens + c.prompt_tokens));
  EXPECT_EQ(MetricValue(text, "tokenfab:request_prompt_tokens_sum"), *prompt_total);
  EXPECT_EQ(MetricValue(text, "tokenfab:generation_tokens_total"),
            static_cast<double>(a.completion_tokens + b.completion_tokens + c.completion_tokens));
  EXPECT_EQ(MetricValue(text, "tokenfab:request_generation_tokens_sum"),
            static_cast<double>(a.completion_tokens + b.completion_tokens + c.completion_tokens));
  EXPECT_EQ(MetricValue(text, "tokenfab:request_success_total", R"(finished_reason="length")"),
            kEngineRequests);
  EXPECT_EQ(MetricValue(text, "tokenfab:request_success_total"), kEngineRequests);
  EXPECT_EQ(MetricValue(text, "tokenfab:time_to_first_token_seconds_count"), kEngineRequests);
  EXPECT_EQ(MetricValue(text, "tokenfab:e2e_request_latency_seconds_count"), kEngineRequests);
  EXPECT_EQ(
      MetricValue(text, "tokenfab:inter_token_latency_seconds_count"),
      static_cast<double>(a.completion_tokens + b.completion_tokens + c.completion_tokens - kEngineRequests));
  // The three generation requests, and earlier scrapes of /metrics.
  EXPECT_GE(MetricValue(text, "tokenfab:http_requests_total", R"(status="200")").value_or(0), 3.0);
  EXPECT_EQ(MetricValue(text, "tokenfab:http_requests_total", R"(status="400")"), 1.0);
  EXPECT_EQ(MetricValue(text, "tokenfab:num_requests_running"), 0.0);
  EXPECT_EQ(MetricValue(text, "tokenfab:num_requests_waiting"), 0.0);
  EXPECT_EQ(MetricValue(text, "tokenfab:kv_cache_usage_perc"), 0.0);
  EXPECT_TRUE(MetricValue(text, "tokenfab:num_preemptions_total").has_value());
  EXPECT_TRUE(MetricValue(text, "tokenfab:prefix_cache_queries_total").has_value());
  EXPECT_TRUE(MetricValue(text, "tokenfab:prefix_cache_hits_total").has_value());
  if (HasFailure()) ADD_FAILURE() << text.substr(0, 6000);
}

}  // namespace
}  // namespace fab::http_test
