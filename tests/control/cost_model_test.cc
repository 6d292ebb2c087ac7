#include "control/cost_model.h"

#include <gtest/gtest.h>

namespace fab::control {
namespace {

TEST(CostModel, ChargesEnergyAtThePueAndPriceAndMachineTimeAtTheHourlyRate) {
  CostModel cost;
  cost.price_per_kwh = 0.2;
  cost.pue = 1.5;
  cost.hardware_cost_per_hour = 3.6;
  // 3.6e6 J = 1 kWh: 1 × 1.5 × 0.2 = 0.3; 10 s at 3.6/h = 0.01.
  EXPECT_NEAR(cost.Cost(3.6e6, 10.0), 0.31, 1e-12);
  EXPECT_EQ(cost.Cost(0.0, 0.0), 0.0);
}

TEST(ParseCostConfig, ReadsEveryKeyAndAmortisesHardware) {
  StatusOr<CostConfig> config = ParseCostConfig(R"(
[cost]
currency = "KRW"
price_per_kwh = 180
pue = 1.25
hardware_price = 35064.0
hardware_life_years = 4
[energy]
source = "prometheus"
idle_watts = 45.5
busy_watts_per_core = 7
prometheus_url = "http://127.0.0.1:9102/metrics"
prometheus_metric = "kepler_node_package_joules_total"
prometheus_kind = "counter"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->cost.currency, "KRW");
  EXPECT_DOUBLE_EQ(config->cost.price_per_kwh, 180.0);
  EXPECT_DOUBLE_EQ(config->cost.pue, 1.25);
  EXPECT_DOUBLE_EQ(config->cost.hardware_cost_per_hour, 35064.0 / (4 * 8766.0));
  EXPECT_EQ(config->energy.source, "prometheus");
  EXPECT_DOUBLE_EQ(config->energy.model.idle_watts, 45.5);
  EXPECT_DOUBLE_EQ(config->energy.model.busy_watts_per_core, 7.0);
}

TEST(ParseCostConfig, AnEmptyFileGivesTheDocumentedDefaults) {
  StatusOr<CostConfig> config = ParseCostConfig("");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->cost.currency, "USD");
  EXPECT_EQ(config->energy.source, "model");
}

TEST(ParseCostConfig, RefusesBadFilesNamingTheKey) {
  const struct {
    const char* toml;
    const char* mentions;
  } cases[] = {
      {"[cost]\nprice_per_kwh = -1", "price_per_kwh"},
      {"[cost]\npue = 0.5", "pue"},
      {"[cost]\nprice = 1", "price"},
      {"[costs]\n", "costs"},
      {"[cost]\ncurrency = 5", "currency"},
      {"[energy]\nsource = \"solar\"", "source"},
      {"[energy]\nsource = \"prometheus\"", "prometheus_url"},
      {"[energy]\nprometheus_kind = \"histogram\"", "prometheus_kind"},
      {"[cost]\nhardware_price = 1\nhardware_cost_per_hour = 1", "alternatives"},
      {"[cost\n", "line 1"},
      {"cost = 1", "table"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.toml);
    const Status status = ParseCostConfig(c.toml).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(c.mentions), std::string::npos) << status.message();
  }
}

}  // namespace
}  // namespace fab::control
