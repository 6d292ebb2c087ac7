#include "server/prometheus_text.h"

#include <cmath>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace fab::server {
namespace {

constexpr double kTolerance = 1e-9;

// The sum, or NaN (and a test failure) on an error.
double Sum(std::string_view page, std::string_view metric, std::string_view label_filter) {
  StatusOr<double> sum = SumPrometheusSamples(page, metric, label_filter);
  EXPECT_TRUE(sum.ok()) << sum.status().ToString();
  return sum.ok() ? *sum : std::nan("");
}

// A page shaped like Kepler's, with comments, neighbours and two packages.
constexpr std::string_view kKeplerPage =
    "# HELP kepler_node_package_joules_total Aggregated RAPL value in package in joules\n"
    "# TYPE kepler_node_package_joules_total counter\n"
    "kepler_node_package_joules_total{index=\"0\",instance=\"node-a\",mode=\"dynamic\"} 120.5\n"
    "kepler_node_package_joules_total{index=\"1\",instance=\"node-a\",mode=\"dynamic\"} 79.5\n"
    "kepler_node_package_joules_total{index=\"0\",instance=\"node-a\",mode=\"idle\"} 1000\n"
    "kepler_node_package_joules_total_bucket{le=\"1\"} 5\n"
    "kepler_node_package_joules 7\n"
    "kepler_node_dram_joules_total{index=\"0\"} 33\n";

TEST(PrometheusText, SumsEverySampleOfTheMetric) {
  StatusOr<double> sum = SumPrometheusSamples(kKeplerPage, "kepler_node_package_joules_total", "");
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_NEAR(*sum, 1200.0, kTolerance);
}

TEST(PrometheusText, SumsOnlySamplesCarryingEveryFilterLabel) {
  EXPECT_NEAR(Sum(kKeplerPage, "kepler_node_package_joules_total", "mode=\"dynamic\""), 200.0,
              kTolerance);
  EXPECT_NEAR(Sum(kKeplerPage, "kepler_node_package_joules_total",
                                    "{mode=\"dynamic\", index=\"1\"}"),
              79.5, kTolerance);
  StatusOr<double> none = SumPrometheusSamples(kKeplerPage, "kepler_node_package_joules_total", "mode=\"other\"");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
}

TEST(PrometheusText, MatchesTheWholeNameOnly) {
  EXPECT_NEAR(Sum(kKeplerPage, "kepler_node_package_joules", ""), 7.0, kTolerance);
  EXPECT_NEAR(Sum(kKeplerPage, "kepler_node_package_joules_total_bucket", ""), 5.0, kTolerance);
  EXPECT_EQ(SumPrometheusSamples(kKeplerPage, "kepler_node_package", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(SumPrometheusSamples(kKeplerPage, "HELP", "").status().code(), StatusCode::kNotFound);
}

TEST(PrometheusText, ReadsEscapedLabelValues) {
  const std::string page =
      "power_watts{gpu=\"a \\\"quoted\\\" name, with } and {\",path=\"C:\\\\x\",note=\"two\\nlines\"} 250\n"
      "power_watts{gpu=\"plain\"} 50\n";
  EXPECT_NEAR(Sum(page, "power_watts", "gpu=\"a \\\"quoted\\\" name, with } and {\""), 250.0,
              kTolerance);
  EXPECT_NEAR(Sum(page, "power_watts", "path=\"C:\\\\x\""), 250.0, kTolerance);
  EXPECT_NEAR(Sum(page, "power_watts", "note=\"two\\nlines\""), 250.0, kTolerance);
  EXPECT_NEAR(Sum(page, "power_watts", ""), 300.0, kTolerance);
}

TEST(PrometheusText, ReadsValueFormsTimestampsAndBlanks) {
  const std::string page =
      "e 1.5e3 1700000000000\n"
      "e\t+2\r\n"
      "  e{ a = \"1\" , } -0.5  \n"
      "e{} 1e-3\n"
      "e NaN\n"
      "e +Inf\n"
      "e -Inf 12\n";
  EXPECT_NEAR(Sum(page, "e", ""), 1500 + 2 - 0.5 + 0.001, kTolerance);
}

TEST(PrometheusText, SkipsLinesThatDoNotParse) {
  const std::string page =
      "m{a=\"1\" 5\n"        // unclosed braces
      "m{a=\"1} 5\n"         // unclosed quote
      "m{a=\"\\q\"} 5\n"     // unknown escape
      "m{1a=\"x\"} 5\n"      // bad label name
      "m{a=1} 5\n"           // unquoted value
      "m five\n"             // not a number
      "m 5 6 7\n"            // too many fields
      "m 5 1.5\n"            // timestamp not an integer
      "m5\n"                 // no blank before the value
      "m\n"                  // no value
      "m 0x10\n"             // not a decimal float
      "m +-1\n"
      "m{a=\"1\",,b=\"2\"} 5\n"
      "m 1\n";
  EXPECT_NEAR(Sum(page, "m", ""), 1.0, kTolerance);
}

TEST(PrometheusText, SkipsOverlongLinesButReadsTheRest) {
  std::string page = "m{a=\"" + std::string(kMaxPrometheusLineBytes, 'x') + "\"} 100\n";
  page += "m 2\n";
  EXPECT_NEAR(Sum(page, "m", ""), 2.0, kTolerance);
}

TEST(PrometheusText, MissingMetricIsNotFound) {
  StatusOr<double> sum = SumPrometheusSamples(kKeplerPage, "DCGM_FI_DEV_POWER_USAGE", "");
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.status().code(), StatusCode::kNotFound);
  EXPECT_NE(sum.status().message().find("DCGM_FI_DEV_POWER_USAGE"), std::string::npos);
  EXPECT_EQ(SumPrometheusSamples("", "m", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(SumPrometheusSamples("m NaN\n", "m", "").status().code(), StatusCode::kNotFound);
}

TEST(PrometheusText, RejectsBadMetricNamesAndFilters) {
  EXPECT_EQ(SumPrometheusSamples(kKeplerPage, "", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SumPrometheusSamples(kKeplerPage, "9lives", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SumPrometheusSamples(kKeplerPage, "a b", "").status().code(), StatusCode::kInvalidArgument);
  for (const char* filter : {"mode", "mode=dynamic", "mode=\"dynamic", "{mode=\"dynamic\"", "a=\"1\" b=\"2\"",
                             "{a=\"1\"} x"}) {
    EXPECT_EQ(SumPrometheusSamples(kKeplerPage, "m", filter).status().code(), StatusCode::kInvalidArgument)
        << filter;
  }
}

TEST(PrometheusText, SurvivesArbitraryBytes) {
  std::string page;
  for (int byte = 0; byte < 256; ++byte) page += static_cast<char>(byte);
  page += "\nm{\\\n}\"\"{{{ 1\nm{a=\"\\";
  EXPECT_FALSE(SumPrometheusSamples(page, "m", "").ok());
  const std::string huge(kMaxPrometheusPageBytes + 1, '\n');
  EXPECT_EQ(SumPrometheusSamples(huge, "m", "").status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace fab::server
