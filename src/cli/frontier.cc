#include "cli/frontier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace fab::cli {

namespace json = boost::json;

void MarkParetoFrontier(std::vector<FrontierPoint>& points) {
  for (FrontierPoint& point : points) {
    point.on_frontier = std::none_of(points.begin(), points.end(), [&](const FrontierPoint& other) {
      return other.aggregate_tps >= point.aggregate_tps && other.user_tps >= point.user_tps &&
             (other.aggregate_tps > point.aggregate_tps || other.user_tps > point.user_tps);
    });
  }
}

json::object FrontierJson(const std::vector<FrontierPoint>& points, const json::object& about) {
  json::array rows;
  for (const FrontierPoint& p : points) {
    rows.push_back(json::object{{"budget_watts", p.budget_watts ? json::value(*p.budget_watts) : json::value(nullptr)},
                                {"concurrency", p.concurrency},
                                {"aggregate_tps", p.aggregate_tps},
                                {"user_tps", p.user_tps},
                                {"ttft_p50_s", p.ttft_p50_s},
                                {"watts", p.watts},
                                {"joules_per_token", p.joules_per_token},
                                {"on_frontier", p.on_frontier}});
  }
  json::object out = about;
  out["points"] = std::move(rows);
  return out;
}

StatusOr<std::vector<FrontierPoint>> ParseFrontierJson(const json::value& value) {
  const json::object* root = value.if_object();
  const json::value* rows = root != nullptr ? root->if_contains("points") : nullptr;
  if (rows == nullptr || !rows->is_array() || rows->as_array().empty()) {
    return InvalidArgumentError("not a `tokenfab bench frontier --json` result: it has no \"points\"");
  }
  std::vector<FrontierPoint> points;
  for (const json::value& row : rows->as_array()) {
    const json::object* p = row.if_object();
    const auto number = [&](const char* key) -> std::optional<double> {
      const json::value* v = p != nullptr ? p->if_contains(key) : nullptr;
      if (v == nullptr || !v->is_number()) return std::nullopt;
      const double d = v->to_number<double>();
      return std::isfinite(d) && d >= 0 ? std::optional<double>(d) : std::nullopt;
    };
    FrontierPoint point;
    const auto aggregate = number("aggregate_tps"), user = number("user_tps"), ttft = number("ttft_p50_s"),
               watts = number("watts"), concurrency = number("concurrency");
    if (!aggregate || !user || !ttft || !watts || !concurrency) {
      return InvalidArgumentError("a frontier point needs aggregate_tps, user_tps, ttft_p50_s, watts and concurrency");
    }
    point.aggregate_tps = *aggregate;
    point.user_tps = *user;
    point.ttft_p50_s = *ttft;
    point.watts = *watts;
    point.concurrency = static_cast<int>(*concurrency);
    point.budget_watts = number("budget_watts");
    point.joules_per_token = number("joules_per_token").value_or(0.0);
    points.push_back(point);
  }
  MarkParetoFrontier(points);
  return points;
}

std::string RenderFrontierSvg(const std::vector<FrontierPoint>& points, const std::string& title) {
  constexpr double kWidth = 720, kHeight = 460, kLeft = 80, kRight = 190, kTop = 40, kBottom = 60;
  double max_x = 1e-9, max_y = 1e-9;
  for (const FrontierPoint& p : points) {
    max_x = std::max(max_x, p.user_tps);
    max_y = std::max(max_y, p.aggregate_tps);
  }
  max_x *= 1.1;
  max_y *= 1.1;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const auto x = [&](double v) { return kLeft + v / max_x * plot_w; };
  const auto y = [&](double v) { return kTop + plot_h - v / max_y * plot_h; };
  std::string svg;
  char buffer[512];
  const auto add = [&](const char* format, auto... args) {
    std::snprintf(buffer, sizeof buffer, format, args...);
    svg += buffer;
  };
  add("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n", kWidth, kHeight, kWidth, kHeight);
  add("<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
  svg += "<text x=\"" + std::to_string(static_cast<int>(kLeft)) + "\" y=\"22\" font-size=\"15\" font-weight=\"bold\">";
  for (char c : title) {
    svg += c == '<' ? std::string("&lt;") : c == '>' ? std::string("&gt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  }
  svg += "</text>\n";
  add("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", kLeft, kTop + plot_h, kLeft + plot_w,
      kTop + plot_h);
  add("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", kLeft, kTop, kLeft, kTop + plot_h);
  for (int tick = 0; tick <= 5; ++tick) {
    const double vx = max_x * tick / 5, vy = max_y * tick / 5;
    add("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", x(vx), kTop + plot_h + 18, vx);
    add("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n", kLeft - 6, y(vy) + 4, vy);
    add("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n", kLeft, y(vy), kLeft + plot_w, y(vy));
  }
  add("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">output tokens/s per user (interactivity)</text>\n",
      kLeft + plot_w / 2, kHeight - 18);
  add("<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">aggregate output tokens/s</text>\n",
      kTop + plot_h / 2);
  // One colour per budget; points joined in concurrency order.
  static const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  std::map<double, std::vector<const FrontierPoint*>> by_budget;  // -1: none
  for (const FrontierPoint& p : points) by_budget[p.budget_watts.value_or(-1.0)].push_back(&p);
  int series = 0;
  for (auto& [budget, members] : by_budget) {
    const char* colour = kColours[series % 6];
    std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->concurrency < b->concurrency; });
    std::string path;
    for (const FrontierPoint* p : members) {
      add("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", x(p->user_tps), y(p->aggregate_tps), colour);
      add("<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%d</text>\n", x(p->user_tps) + 6,
          y(p->aggregate_tps) - 5, colour, p->concurrency);
      std::snprintf(buffer, sizeof buffer, "%s%.1f,%.1f", path.empty() ? "" : " ", x(p->user_tps), y(p->aggregate_tps));
      path += buffer;
    }
    add("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", path.c_str(), colour);
    const double legend_y = kTop + 16 + 20 * series;
    add("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", kWidth - kRight + 20, legend_y - 4, colour);
    if (budget < 0) {
      add("<text x=\"%.1f\" y=\"%.1f\">no power budget</text>\n", kWidth - kRight + 30, legend_y);
    } else {
      add("<text x=\"%.1f\" y=\"%.1f\">budget %.0f W</text>\n", kWidth - kRight + 30, legend_y, budget);
    }
    ++series;
  }
  // The frontier, by interactivity.
  std::vector<const FrontierPoint*> frontier;
  for (const FrontierPoint& p : points) {
    if (p.on_frontier) frontier.push_back(&p);
  }
  std::sort(frontier.begin(), frontier.end(), [](auto* a, auto* b) { return a->user_tps < b->user_tps; });
  std::string path;
  for (const FrontierPoint* p : frontier) {
    std::snprintf(buffer, sizeof buffer, "%s%.1f,%.1f", path.empty() ? "" : " ", x(p->user_tps), y(p->aggregate_tps));
    path += buffer;
  }
  add("<polyline points=\"%s\" fill=\"none\" stroke=\"black\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n", path.c_str());
  add("<text x=\"%.1f\" y=\"%.1f\">- - Pareto frontier</text>\n", kWidth - kRight + 14, kTop + 16 + 20 * series);
  add("<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">labels: concurrency</text>\n", kWidth - kRight + 14,
      kTop + 36 + 20 * series);
  svg += "</svg>\n";
  return svg;
}

std::vector<TierPrice> PriceTiers(const std::vector<FrontierPoint>& points, const control::SloTargets& slo,
                                  const control::CostModel& cost, double utilisation) {
  std::vector<TierPrice> prices;
  for (control::Tier tier : {control::Tier::kPremium, control::Tier::kStandard, control::Tier::kBatch}) {
    TierPrice price;
    price.tier = std::string(control::TierName(tier));
    const control::TierSlo& objectives = slo.For(tier);
    for (const FrontierPoint& p : points) {
      if (!p.on_frontier) continue;
      if (objectives.tpot_s && p.user_tps < 1.0 / *objectives.tpot_s) continue;
      if (objectives.ttft_s && p.ttft_p50_s > *objectives.ttft_s) continue;
      if (!price.point || p.aggregate_tps > price.point->aggregate_tps) price.point = p;
    }
    if (price.point) {
      // An hour at the point: the machine, and its watts × PUE at the energy price.
      price.cost_per_hour = cost.Cost(price.point->watts * 3600.0, 3600.0);
      price.tokens_per_hour = price.point->aggregate_tps * 3600.0 * utilisation;
      price.price_per_mtok = price.tokens_per_hour > 0 ? price.cost_per_hour / price.tokens_per_hour * 1e6 : 0.0;
    }
    prices.push_back(std::move(price));
  }
  return prices;
}

}  // namespace fab::cli
