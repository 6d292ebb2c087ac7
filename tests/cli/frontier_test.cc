// The frontier and its prices: the Pareto frontier keeps exactly the
// undominated points; each tier's operating point is the frontier point
// with the most aggregate throughput that meets its objectives, and its
// price is the hour's cost over the hour's tokens; the JSON round-trips;
// `tokenfab bench frontier` and `tokenfab price` run end to end on the demo
// model and refuse bad input.
#include "cli/frontier.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/tokenfab_runner.h"

namespace fab::cli {
namespace {

namespace fs = std::filesystem;

FrontierPoint Point(int users, double aggregate, double per_user, double ttft = 0.1, double watts = 100.0) {
  FrontierPoint p;
  p.concurrency = users;
  p.aggregate_tps = aggregate;
  p.user_tps = per_user;
  p.ttft_p50_s = ttft;
  p.watts = watts;
  return p;
}

TEST(Frontier, KeepsExactlyTheUndominatedPoints) {
  std::vector<FrontierPoint> points = {Point(1, 30, 30), Point(4, 100, 25), Point(16, 240, 15), Point(32, 260, 8),
                                       Point(8, 90, 11) /* beaten by 16 on both */, Point(2, 30, 20) /* by 1 */};
  MarkParetoFrontier(points);
  std::vector<int> on;
  for (const FrontierPoint& p : points) {
    if (p.on_frontier) on.push_back(p.concurrency);
  }
  EXPECT_EQ(on, (std::vector<int>{1, 4, 16, 32}));
}

TEST(Frontier, ATierRunsAtTheMostThroughputThatMeetsItsObjectivesAndIsPricedByTheHour) {
  std::vector<FrontierPoint> points = {Point(1, 30, 30), Point(4, 100, 25), Point(16, 240, 15, 0.5, 200),
                                       Point(32, 260, 3, 4.0, 220)};
  MarkParetoFrontier(points);
  control::SloTargets slo;  // premium 1 s / 0.1 s (10 t/s), standard 3 s / 0.25 s (4 t/s), batch none
  control::CostModel cost;
  cost.price_per_kwh = 0.2;
  cost.pue = 1.5;
  cost.hardware_cost_per_hour = 2.0;
  const std::vector<TierPrice> prices = PriceTiers(points, slo, cost, 0.5);
  ASSERT_EQ(prices.size(), 3u);
  ASSERT_TRUE(prices[0].point && prices[1].point && prices[2].point);
  EXPECT_EQ(prices[0].tier, "premium");
  EXPECT_EQ(prices[0].point->concurrency, 16) << "15 t/s per user meets premium's 10";
  EXPECT_EQ(prices[1].point->concurrency, 16) << "32 users give 3 t/s each, under standard's 4, and a 4 s TTFT";
  EXPECT_EQ(prices[2].point->concurrency, 32) << "batch takes the most throughput";
  // premium: 2 $/h + 200 W × 1.5 × 0.2 $/kWh = 2.06 $/h over 240 × 3600 × 0.5 tokens.
  EXPECT_NEAR(prices[0].cost_per_hour, 2.06, 1e-9);
  EXPECT_NEAR(prices[0].price_per_mtok, 2.06 / (240 * 3600 * 0.5) * 1e6, 1e-6);
  EXPECT_LT(prices[2].price_per_mtok, prices[0].price_per_mtok) << "more throughput, a lower price";

  slo.premium.tpot_s = 0.001;  // 1000 t/s per user: nothing meets it
  EXPECT_FALSE(PriceTiers(points, slo, cost, 0.5)[0].point.has_value());
}

TEST(Frontier, TheJsonRoundTripsAndTheSvgDrawsEverySeries) {
  std::vector<FrontierPoint> points = {Point(1, 30, 30), Point(4, 100, 25)};
  points[1].budget_watts = 50.0;
  MarkParetoFrontier(points);
  const boost::json::object json = FrontierJson(points, {{"model", "m.gguf"}});
  StatusOr<std::vector<FrontierPoint>> back = ParseFrontierJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].budget_watts, 50.0);
  EXPECT_FALSE((*back)[0].budget_watts.has_value());
  EXPECT_EQ((*back)[1].aggregate_tps, 100.0);
  EXPECT_FALSE(ParseFrontierJson(boost::json::parse("{}")).ok());
  EXPECT_FALSE(ParseFrontierJson(boost::json::parse(R"({"points":[{"aggregate_tps":-1}]})")).ok());
  const std::string svg = RenderFrontierSvg(points, "a <title> & more");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("no power budget"), std::string::npos);
  EXPECT_NE(svg.find("budget 50 W"), std::string::npos);
  EXPECT_NE(svg.find("&lt;title&gt;"), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos) << "the frontier line";
}

TEST(FrontierCommands, BenchFrontierAndPriceRunOnTheDemoModelAndRefuseBadInput) {
  const fs::path dir = fs::temp_directory_path() / ("tokenfab_frontier_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const auto bench = cli_test::RunTokenfabCommand("bench frontier --concurrency 1,2 -p 8 -n 8 -t 1 --json " +
                                                  (dir / "f.json").string() + " --svg " + (dir / "f.svg").string());
  ASSERT_EQ(bench.exit_code, 0) << bench.output;
  EXPECT_NE(bench.output.find("Pareto frontier"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "f.svg"));
  const auto price = cli_test::RunTokenfabCommand("price --frontier " + (dir / "f.json").string());
  ASSERT_EQ(price.exit_code, 0) << price.output;
  EXPECT_NE(price.output.find("premium"), std::string::npos);
  EXPECT_NE(price.output.find("batch"), std::string::npos);
  std::ofstream(dir / "bad.json") << R"({"points": 3})";
  EXPECT_EQ(cli_test::RunTokenfabCommand("price --frontier " + (dir / "bad.json").string()).exit_code, 1);
  EXPECT_EQ(cli_test::RunTokenfabCommand("price --utilisation 2 --frontier " + (dir / "f.json").string()).exit_code, 1);
  EXPECT_EQ(cli_test::RunTokenfabCommand("bench frontier --power-budgets -5 -n 4").exit_code, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace fab::cli
