// The tiers' objectives on /metrics: every generation request that ends
// counts under its tier in tokenfab:slo_requests_total, those within the
// tier's TTFT and TPOT objectives in tokenfab:slo_goodput_requests_total,
// and tokenfab:slo_attainment_ratio is their share; --slo-config sets the
// objectives (one no request can meet here makes the share 0).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

void Generate(uint16_t port, int n) {
  for (int i = 0; i < n; ++i) {
    const RawResponse r = PostJson(port, "/v1/completions", R"({"prompt":"Hello","max_tokens":8,"ignore_eos":true})");
    ASSERT_EQ(r.status, 200) << r.body;
  }
}

TEST(SloMetrics, CountRequestsByTierAndTheShareWithinTheirObjectives) {
  std::string error;
  {
    auto server = ServeProcess::Start(ServeOptions{}, &error);
    ASSERT_NE(server, nullptr) << error;
    Generate(server->port(), 3);
    EXPECT_EQ(ReadMetric(server->port(), "tokenfab:slo_requests_total", "tier=\"standard\""), 3.0);
    EXPECT_EQ(ReadMetric(server->port(), "tokenfab:slo_goodput_requests_total", "tier=\"standard\""), 3.0)
        << "8 tokens of the demo model are well within 3 s / 250 ms";
    EXPECT_EQ(ReadMetric(server->port(), "tokenfab:slo_attainment_ratio", "tier=\"standard\""), 1.0);
  }
  const std::filesystem::path config = ScratchDirectory() / "strict-slo.toml";
  std::ofstream(config) << "[standard]\ntpot_s = 0.000000001\n";
  ServeOptions options;
  options.extra_args = {"--slo-config", config.string()};
  auto server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  Generate(server->port(), 2);
  EXPECT_EQ(ReadMetric(server->port(), "tokenfab:slo_requests_total", "tier=\"standard\""), 2.0);
  EXPECT_EQ(ReadMetric(server->port(), "tokenfab:slo_goodput_requests_total", "tier=\"standard\""), 0.0);
  EXPECT_EQ(ReadMetric(server->port(), "tokenfab:slo_attainment_ratio", "tier=\"standard\""), 0.0);
}

}  // namespace
}  // namespace fab::http_test
