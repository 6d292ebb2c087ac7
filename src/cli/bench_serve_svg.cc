#include "cli/bench_serve_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fab::cli {
namespace {

constexpr double kPanelWidth = 420;
constexpr double kPanelHeight = 300;
constexpr double kMarginLeft = 70;
constexpr double kMarginTop = 50;
constexpr double kMarginBottom = 50;
constexpr double kPanelGap = 90;
constexpr int kTicks = 5;

struct Series {
  const char* name;
  const char* color;
  const char* dash;  // "" solid
  std::vector<double> y;
};

struct Panel {
  const char* title;
  const char* y_label;
  double origin_x;  // left edge of the plot area
  std::vector<Series> series;
};

std::string Escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Fmt(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

// A "nice" upper bound (1, 2 or 5 × 10^k) at or above max(value, tiny).
double NiceCeiling(double value) {
  if (!(value > 0) || !std::isfinite(value)) return 1.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (const double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10.0 * magnitude;
}

std::string Text(double x, double y, const std::string& text, const char* extra = "") {
  return "<text x=\"" + Fmt("%.1f", x) + "\" y=\"" + Fmt("%.1f", y) + "\" " + extra + ">" + Escape(text) +
         "</text>\n";
}

std::string PointLabel(const BenchServeRun& run) {
  if (run.max_concurrency > 0) return "c=" + std::to_string(run.max_concurrency);
  return "r=" + FormatRequestRate(run.request_rate);
}

std::string Axes(const Panel& panel, double x_max, double y_max) {
  const double left = panel.origin_x, top = kMarginTop, bottom = kMarginTop + kPanelHeight;
  std::string out = "<rect x=\"" + Fmt("%.1f", left) + "\" y=\"" + Fmt("%.1f", top) + "\" width=\"" +
                    Fmt("%.1f", kPanelWidth) + "\" height=\"" + Fmt("%.1f", kPanelHeight) +
                    "\" fill=\"none\" stroke=\"#444\"/>\n";
  for (int i = 0; i <= kTicks; ++i) {
    const double x = left + kPanelWidth * i / kTicks, y = bottom - kPanelHeight * i / kTicks;
    out += Text(x, bottom + 16, Fmt("%g", x_max * i / kTicks), "text-anchor=\"middle\"");
    out += Text(left - 6, y + 4, Fmt("%g", y_max * i / kTicks), "text-anchor=\"end\"");
  }
  out += Text(left + kPanelWidth / 2, bottom + 38, "output tokens/s", "text-anchor=\"middle\"");
  out += Text(left - 52, top + kPanelHeight / 2, panel.y_label,
              ("text-anchor=\"middle\" transform=\"rotate(-90 " + Fmt("%.1f", left - 52) + " " +
               Fmt("%.1f", top + kPanelHeight / 2) + ")\"").c_str());
  out += Text(left + kPanelWidth / 2, top - 10, panel.title, "text-anchor=\"middle\" font-weight=\"bold\"");
  return out;
}

std::string DrawPanel(const Panel& panel, const std::vector<BenchServeResult>& results, double x_max) {
  double y_max = 0;
  for (const Series& s : panel.series) {
    for (const double y : s.y) y_max = std::max(y_max, y);
  }
  y_max = NiceCeiling(y_max * 1.05);
  std::string out = Axes(panel, x_max, y_max);
  const auto px = [&](double x) { return panel.origin_x + kPanelWidth * x / x_max; };
  const auto py = [&](double y) { return kMarginTop + kPanelHeight - kPanelHeight * y / y_max; };
  double legend_y = kMarginTop + 16;
  for (const Series& s : panel.series) {
    std::string points;
    for (size_t i = 0; i < results.size(); ++i) {
      points += Fmt("%.1f", px(results[i].metrics.output_throughput)) + "," + Fmt("%.1f", py(s.y[i])) + " ";
    }
    out += "<polyline fill=\"none\" stroke=\"" + std::string(s.color) + "\" stroke-dasharray=\"" + s.dash +
           "\" points=\"" + points + "\"/>\n";
    for (size_t i = 0; i < results.size(); ++i) {
      const double x = px(results[i].metrics.output_throughput), y = py(s.y[i]);
      out += "<circle cx=\"" + Fmt("%.1f", x) + "\" cy=\"" + Fmt("%.1f", y) + "\" r=\"3\" fill=\"" + s.color +
             "\"/>\n";
      out += Text(x + 5, y - 5, PointLabel(results[i].run), "font-size=\"10\"");
    }
    out += Text(panel.origin_x + 10, legend_y, s.name, ("fill=\"" + std::string(s.color) + "\"").c_str());
    legend_y += 16;
  }
  return out;
}

std::vector<double> Milliseconds(const std::vector<BenchServeResult>& results, double LatencySummary::*stat,
                                 LatencySummary RunMetrics::*metric) {
  std::vector<double> values;
  for (const BenchServeResult& r : results) values.push_back((r.metrics.*metric).*stat * 1e3);
  return values;
}

}  // namespace

std::string RenderSweepSvg(const std::vector<BenchServeResult>& results, const std::string& title) {
  double x_max = 0;
  for (const BenchServeResult& r : results) x_max = std::max(x_max, r.metrics.output_throughput);
  x_max = NiceCeiling(x_max * 1.05);
  const double width = kMarginLeft + 2 * kPanelWidth + kPanelGap + 30;
  const double height = kMarginTop + kPanelHeight + kMarginBottom + 10;
  const Panel ttft{"TTFT vs output throughput",
                   "TTFT (ms)",
                   kMarginLeft,
                   {{"p50 TTFT", "#1f77b4", "", Milliseconds(results, &LatencySummary::p50, &RunMetrics::ttft_s)},
                    {"p99 TTFT", "#d62728", "6 4", Milliseconds(results, &LatencySummary::p99, &RunMetrics::ttft_s)}}};
  const Panel tpot{"TPOT vs output throughput",
                   "TPOT (ms)",
                   kMarginLeft + kPanelWidth + kPanelGap,
                   {{"p50 TPOT", "#1f77b4", "", Milliseconds(results, &LatencySummary::p50, &RunMetrics::tpot_s)},
                    {"p99 TPOT", "#d62728", "6 4", Milliseconds(results, &LatencySummary::p99, &RunMetrics::tpot_s)}}};
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Fmt("%.0f", width) + "\" height=\"" +
                    Fmt("%.0f", height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out += Text(width / 2, 20, title, "text-anchor=\"middle\" font-size=\"14\"");
  out += DrawPanel(ttft, results, x_max);
  out += DrawPanel(tpot, results, x_max);
  out += "</svg>\n";
  return out;
}

}  // namespace fab::cli
