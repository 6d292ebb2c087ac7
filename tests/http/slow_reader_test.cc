// A client that stops reading is bounded by the write timeout: with
// --write-timeout 1, a stream whose reader never reads (a 4 KiB receive
// buffer, 16 choices echoing 1000 prompt tokens with 20 top logprobs each:
// megabytes at once) is abandoned, its 16 engine requests are cancelled long
// before their max_tokens, the KV cache empties and the server keeps serving.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

using namespace std::chrono_literals;

constexpr int kChoices = 16;
constexpr int kMaxTokens = 900;

std::string FloodingRequest() {
  std::string prompt = "[";
  for (int id = 100; id < 1100; ++id) {
    if (id > 100) prompt += ',';
    prompt += std::to_string(id);
  }
  prompt += "]";
  return BuildJsonPost("/v1/completions", std::string(R"({"model":")") + kTestModelName + R"(","prompt":)" +
                                              prompt + R"(,"echo":true,"logprobs":20,"n":)" +
                                              std::to_string(kChoices) + R"(,"max_tokens":)" +
                                              std::to_string(kMaxTokens) +
                                              R"(,"temperature":1,"seed":1,"stream":true})");
}

TEST(SlowReader, AClientThatStopsReadingIsAbandonedAfterTheWriteTimeoutAndItsRequestsCancelled) {
  std::string error;
  std::unique_ptr<ServeProcess> server = ServeProcess::Start({{"--write-timeout", "1"}}, &error);
  ASSERT_NE(server, nullptr) << error;
  const uint16_t port = server->port();

  std::optional<RawConnection> reader = RawConnection::Connect(port, &error, /*receive_buffer_bytes=*/4096);
  ASSERT_TRUE(reader) << error;
  ASSERT_TRUE(reader->Send(FloodingRequest()));
  // Never read: the server's socket buffer fills, its write stalls.
  const auto idle = [&] {
    return ReadMetric(port, "tokenfab:num_requests_running") == 0.0 &&
           ReadMetric(port, "tokenfab:kv_cache_usage_perc") == 0.0 &&
           ReadMetric(port, "tokenfab:request_success_total").value_or(0) >= kChoices;
  };
  EXPECT_TRUE(WaitUntil(60s, idle)) << "running "
                                    << ReadMetric(port, "tokenfab:num_requests_running").value_or(-1)
                                    << ", kv "
                                    << ReadMetric(port, "tokenfab:kv_cache_usage_perc").value_or(-1);
  EXPECT_EQ(ReadMetric(port, "tokenfab:request_success_total", R"(finished_reason="abort")").value_or(0),
            kChoices)
      << "every choice of the stalled stream is cancelled";
  EXPECT_LT(ReadMetric(port, "tokenfab:generation_tokens_total").value_or(0), kChoices * kMaxTokens);
  EXPECT_EQ(Get(port, "/health").status, 200);
  const RawResponse after =
      PostJson(port, "/v1/completions",
               std::string(R"({"model":")") + kTestModelName + R"(","prompt":"hi","max_tokens":2})");
  EXPECT_EQ(after.status, 200) << after.body;
  RecordProperty("rss_kib_after", std::to_string(server->ResidentBytes() / 1024));
  if (HasFailure()) ADD_FAILURE() << server->OutputTail();
}

}  // namespace
}  // namespace fab::http_test
