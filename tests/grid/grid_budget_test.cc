#include "grid/grid_budget.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "grid/grid_test_events.h"

namespace fab::grid {
namespace {

namespace json = boost::json;
using grid_test::BreachAlertData;
using grid_test::Event;
using grid_test::LoadTargetData;

const int64_t kNow = 1796700000000;
const int64_t kMinute = 60000;

GridBudget Budget(std::optional<double> configured, const std::string& feed = "main-a", double share = 1.0) {
  GridBudgetOptions options;
  options.configured_watts = configured;
  options.feed_tag = feed;
  options.share = share;
  return GridBudget(std::move(options));
}

std::string Target(double value, const std::string& unit, const std::string& feed, std::optional<int64_t> start,
                   std::optional<int64_t> end, const std::string& id = "") {
  return Event(kLoadTargetSetType, LoadTargetData(value, unit, feed, start, end), kNow, id);
}

TEST(GridBudget, ATargetForThisFeedSetsTheBudgetAtTheShareOfItsWatts) {
  GridBudget budget = Budget(200.0, "main-a", 0.25);
  EXPECT_EQ(budget.BudgetWatts(kNow), 200.0);
  EXPECT_EQ(budget.BudgetSource(kNow), "configured");
  const ConsumeResult result = budget.Consume(Target(0.4, "kilowatt", "main-a", std::nullopt, kNow + 10 * kMinute), kNow);
  ASSERT_TRUE(result.applied) << result.why;
  EXPECT_TRUE(result.unsigned_data);
  EXPECT_DOUBLE_EQ(*budget.BudgetWatts(kNow), 100.0);  // 0.25 × 400 W
  EXPECT_EQ(budget.BudgetSource(kNow).rfind("grid target ", 0), 0u);
  EXPECT_EQ(budget.BudgetWatts(kNow + 10 * kMinute), 200.0) << "the target ends at its end_time";
}

TEST(GridBudget, NeverRaisesTheBudgetAboveTheOperatorsAndUnitsAreConverted) {
  GridBudget budget = Budget(50.0);
  ASSERT_TRUE(budget.Consume(Target(0.001, "megawatt", "main-a", std::nullopt, std::nullopt), kNow).applied);
  EXPECT_EQ(budget.BudgetWatts(kNow), 50.0) << "a 1 kW target does not lift a 50 W budget";
  GridBudget unlimited = Budget(std::nullopt);
  EXPECT_FALSE(unlimited.BudgetWatts(kNow).has_value());
  ASSERT_TRUE(unlimited.Consume(Target(0.001, "megawatt", "main-a", std::nullopt, std::nullopt), kNow).applied);
  EXPECT_DOUBLE_EQ(*unlimited.BudgetWatts(kNow), 1000.0);
}

TEST(GridBudget, ANullConstraintOrANewerTargetReplacesTheActiveOne) {
  GridBudget budget = Budget(std::nullopt);
  ASSERT_TRUE(budget.Consume(Target(300, "watt", "main-a", std::nullopt, std::nullopt), kNow).applied);
  ASSERT_TRUE(budget.Consume(Target(150, "watt", "main-a", std::nullopt, std::nullopt), kNow + 1).applied);
  EXPECT_EQ(budget.BudgetWatts(kNow + 2), 150.0);
  EXPECT_EQ(budget.Snapshot(kNow + 2, 140.0, "periodic").targets.size(), 1u) << "the newer target replaced the older";
  ASSERT_TRUE(budget.Consume(Target(-1, "watt", "main-a", std::nullopt, std::nullopt), kNow + 3).applied);
  EXPECT_FALSE(budget.BudgetWatts(kNow + 4).has_value()) << "a null constraint removes it";
}

TEST(GridBudget, AScheduledTargetStartsAtItsStartTime) {
  GridBudget budget = Budget(500.0);
  ASSERT_TRUE(budget.Consume(Target(100, "watt", "", kNow + kMinute, kNow + 2 * kMinute), kNow).applied);
  EXPECT_EQ(budget.BudgetWatts(kNow), 500.0);
  EXPECT_EQ(budget.BudgetWatts(kNow + kMinute), 100.0);
  EXPECT_EQ(budget.BudgetWatts(kNow + 2 * kMinute), 500.0);
}

TEST(GridBudget, IgnoresReplaysStaleTargetsOtherFeedsAndEventsItDoesNotConsume) {
  GridBudget budget = Budget(500.0);
  const std::string event = Target(100, "watt", "main-a", std::nullopt, std::nullopt);
  ASSERT_TRUE(budget.Consume(event, kNow).applied);
  ASSERT_TRUE(budget.Consume(Target(-1, "watt", "main-a", std::nullopt, std::nullopt), kNow).applied);
  const ConsumeResult replay = budget.Consume(event, kNow + 1);
  EXPECT_FALSE(replay.applied);
  EXPECT_NE(replay.why.find("replay"), std::string::npos) << replay.why;
  EXPECT_EQ(budget.BudgetWatts(kNow + 1), 500.0) << "the replay did not bring the removed target back";
  const ConsumeResult stale = budget.Consume(Target(10, "watt", "main-a", kNow - 2 * kMinute, kNow - kMinute), kNow);
  EXPECT_FALSE(stale.applied);
  EXPECT_NE(stale.why.find("stale"), std::string::npos);
  const ConsumeResult other = budget.Consume(Target(10, "watt", "main-b", std::nullopt, std::nullopt), kNow);
  EXPECT_FALSE(other.applied);
  EXPECT_NE(other.why.find("feed"), std::string::npos);
  const ConsumeResult status = budget.Consume(Event(kPowerStateStatusType, json::object{}, kNow), kNow);
  EXPECT_FALSE(status.applied);
  EXPECT_NE(status.why.find("not one this server consumes"), std::string::npos);
  for (const char* junk : {"", "{}", "null", "{\"specversion\":\"1.0.2\"}"}) EXPECT_FALSE(budget.Consume(junk, kNow).applied);
  json::object bad_data = LoadTargetData(10, "volt", "main-a", std::nullopt, std::nullopt);
  const ConsumeResult unit = budget.Consume(Event(kLoadTargetSetType, bad_data, kNow), kNow);
  EXPECT_FALSE(unit.applied);
  EXPECT_NE(unit.why.find("unit"), std::string::npos) << unit.why;
  EXPECT_EQ(budget.BudgetWatts(kNow), 500.0);
}

TEST(GridBudget, ABreachShedsInProportionToTheOvershootUntilItIsResolved) {
  GridBudget budget = Budget(500.0, "main-a", 0.5);
  const std::string breach = NewUuid();
  const ConsumeResult alert =
      budget.Consume(Event(kPowerBreachAlertType, BreachAlertData("main-a", "active", breach, 400, 500, kNow), kNow), kNow);
  ASSERT_TRUE(alert.applied) << alert.why;
  ASSERT_TRUE(alert.breach.has_value());
  EXPECT_DOUBLE_EQ(*budget.BudgetWatts(kNow), 0.5 * 400 * 0.8);  // share × target × target/measured
  EXPECT_EQ(budget.BudgetSource(kNow), "breach " + breach);
  const ConsumeResult other =
      budget.Consume(Event(kPowerBreachAlertType, BreachAlertData("main-b", "active", NewUuid(), 1, 2, kNow), kNow), kNow);
  EXPECT_FALSE(other.applied);
  ASSERT_TRUE(budget.Consume(Event(kPowerBreachAlertType, BreachAlertData("main-a", "resolved", breach, 400, 390, kNow), kNow),
                             kNow + kMinute)
                  .applied);
  EXPECT_EQ(budget.BudgetWatts(kNow + kMinute), 500.0);
}

TEST(GridBudget, ABreachNotHeardOfForAnHourLapses) {
  GridBudget budget = Budget(std::nullopt);
  ASSERT_TRUE(
      budget.Consume(Event(kPowerBreachAlertType, BreachAlertData("main-a", "escalated", NewUuid(), 100, 200, kNow), kNow), kNow)
          .applied);
  EXPECT_EQ(budget.BudgetWatts(kNow), 50.0);
  EXPECT_FALSE(budget.BudgetWatts(kNow + GridBudget::kBreachLifetimeMs).has_value());
}

TEST(GridBudget, WithAKeyOnlyDataSignedByItIsAccepted) {
  const grid_test::KeyPair keys = grid_test::NewEcKeyPair(), other = grid_test::NewEcKeyPair();
  GridBudgetOptions options;
  options.feed_tag = "main-a";
  options.verifier = *JwsVerifier::FromPem(keys.public_pem);
  GridBudget budget(std::move(options));
  const std::string data = json::serialize(LoadTargetData(120, "watt", "main-a", std::nullopt, std::nullopt));
  const ConsumeResult plain = budget.Consume(Target(120, "watt", "main-a", std::nullopt, std::nullopt), kNow);
  EXPECT_FALSE(plain.applied);
  EXPECT_NE(plain.why.find("not signed"), std::string::npos) << plain.why;
  const std::string forged = *JwsSigner::FromPem(other.private_pem)->Sign(data, "k");
  const ConsumeResult refused = budget.Consume(Event(kLoadTargetSetType, json::string(forged), kNow), kNow);
  EXPECT_FALSE(refused.applied);
  EXPECT_NE(refused.why.find("signature"), std::string::npos) << refused.why;
  const std::string signed_data = *JwsSigner::FromPem(keys.private_pem)->Sign(data, "k");
  const ConsumeResult accepted = budget.Consume(Event(kLoadTargetSetType, json::string(signed_data), kNow), kNow);
  ASSERT_TRUE(accepted.applied) << accepted.why;
  EXPECT_FALSE(accepted.unsigned_data);
  EXPECT_EQ(budget.BudgetWatts(kNow), 120.0);
}

TEST(GridBudget, WithoutAKeyASignedEventIsIgnoredForItCannotBeChecked) {
  GridBudget budget = Budget(std::nullopt);
  const ConsumeResult result = budget.Consume(Event(kLoadTargetSetType, json::string("a.b.c"), kNow), kNow);
  EXPECT_FALSE(result.applied);
  EXPECT_NE(result.why.find("no --grid-public-key"), std::string::npos);
}

TEST(GridBudget, TheSnapshotEchoesTargetsAndSaysWhetherTheLoadComplies) {
  GridBudget budget = Budget(1000.0);
  const std::string correlation = NewUuid();
  ASSERT_TRUE(budget
                  .Consume(Event(kLoadTargetSetType, LoadTargetData(200, "watt", "main-a", std::nullopt, std::nullopt), kNow,
                                 "", correlation),
                           kNow)
                  .applied);
  const FeedState over = budget.Snapshot(kNow, 300.0, "start_ramp_down");
  ASSERT_EQ(over.targets.size(), 1u);
  EXPECT_TRUE(over.targets[0].active);
  EXPECT_EQ(over.targets[0].correlation_id, correlation);
  EXPECT_FALSE(over.compliant);
  EXPECT_TRUE(over.in_flight);
  EXPECT_TRUE(budget.Snapshot(kNow, 190.0, "end_ramp_down").compliant);
}

}  // namespace
}  // namespace fab::grid
