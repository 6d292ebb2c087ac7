#include "cli/bench_serve_svg.h"

#include <limits>
#include <regex>

#include <gtest/gtest.h>

namespace fab::cli {
namespace {

BenchServeResult Result(int concurrency, double tokens_per_s, double ttft_p99_s) {
  BenchServeResult r;
  r.run = BenchServeRun{std::numeric_limits<double>::infinity(), concurrency};
  r.metrics.output_throughput = tokens_per_s;
  r.metrics.ttft_s.p50 = ttft_p99_s / 2;
  r.metrics.ttft_s.p99 = ttft_p99_s;
  r.metrics.tpot_s.p50 = 0.05;
  r.metrics.tpot_s.p99 = 0.1;
  return r;
}

// Every tag is closed in order: <a ...>…</a> or <a .../>; no raw '&' or '<' in text.
bool TagsBalance(const std::string& svg) {
  std::vector<std::string> open;
  const std::regex tag(R"(<(/?)([a-z]+)[^<>]*?(/?)>)");
  size_t position = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    const std::string between = svg.substr(position, static_cast<size_t>(m.position()) - position);
    if (between.find('<') != std::string::npos || between.find('>') != std::string::npos) return false;
    position = static_cast<size_t>(m.position() + m.length());
    if (m[1] == "/") {
      if (open.empty() || open.back() != m[2]) return false;
      open.pop_back();
    } else if (m[3] != "/") {
      open.push_back(m[2]);
    }
  }
  return open.empty() && svg.find('<', position) == std::string::npos;
}

TEST(BenchServeSvg, DrawsTwoLabelledPanelsWithAPointPerRunAndSeries) {
  const std::string svg = RenderSweepSvg({Result(1, 10, 0.2), Result(4, 35, 0.9), Result(16, 41, 14.0)},
                                         "llama-server <tiny> & co");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_TRUE(TagsBalance(svg)) << svg;
  for (const char* text : {"output tokens/s", "TTFT (ms)", "TPOT (ms)", "p99 TTFT", "p50 TPOT", "c=16",
                           "&lt;tiny&gt; &amp; co"}) {
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  }
  size_t n_circles = 0;
  for (size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) ++n_circles;
  EXPECT_EQ(n_circles, 3u * 4u);  // 3 runs × (p50, p99) × 2 panels
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf\""), std::string::npos);
}

TEST(BenchServeSvg, StaysWellFormedForNoRunsAndAllZeroRuns) {
  for (const std::vector<BenchServeResult>& results :
       {std::vector<BenchServeResult>{}, std::vector<BenchServeResult>{Result(1, 0, 0)}}) {
    const std::string svg = RenderSweepSvg(results, "empty");
    EXPECT_TRUE(TagsBalance(svg)) << svg;
    EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
  }
}

}  // namespace
}  // namespace fab::cli
