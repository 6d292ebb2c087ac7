#include "control/policy.h"

#include <gtest/gtest.h>

namespace fab::control {
namespace {

TEST(Policy, RoundTripsThroughJsonWithEveryField) {
  const std::string json =
      R"({"requests_per_minute":60,"tokens_per_minute":100000,"max_concurrent":4,"budget_tokens":1000000,)"
      R"("budget_kwh":2.5,"budget_money":10.25,"budget_period":"day","models":["a","b"],"tier":"premium"})";
  StatusOr<Policy> policy = PolicyFromJson(json);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->requests_per_minute, 60);
  EXPECT_EQ(policy->budget_period, BudgetPeriod::kDay);
  EXPECT_EQ(policy->tier, Tier::kPremium);
  EXPECT_EQ(*PolicyFromJson(PolicyToJson(*policy)), *policy);
  EXPECT_EQ(PolicyToJson(Policy{}), "{}");
}

TEST(Policy, AChangeSetsNamedFieldsAndNullRemovesThem) {
  const Policy before = *PolicyFromJson(R"({"requests_per_minute":60,"tier":"batch"})");
  StatusOr<Policy> after = ApplyPolicyChange(before, R"({"requests_per_minute":null,"max_concurrent":2})");
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->requests_per_minute.has_value());
  EXPECT_EQ(after->max_concurrent, 2);
  EXPECT_EQ(after->tier, Tier::kBatch);
}

TEST(Policy, RefusesBadChangesNamingTheField) {
  const struct {
    const char* json;
    const char* mentions;
  } cases[] = {
      {"[]", "JSON object"},
      {"{", "not valid JSON"},
      {R"({"rpm":1})", "unknown policy field 'rpm'"},
      {R"({"requests_per_minute":-1})", "requests_per_minute"},
      {R"({"requests_per_minute":1.5})", "requests_per_minute"},
      {R"({"requests_per_minute":"60"})", "requests_per_minute"},
      {R"({"max_concurrent":18446744073709551615})", "max_concurrent"},
      {R"({"budget_kwh":-0.1})", "budget_kwh"},
      {R"({"budget_money":1e300})", "budget_money"},
      {R"({"budget_period":"year"})", "budget_period"},
      {R"({"tier":"gold"})", "tier"},
      {R"({"models":"a"})", "models"},
      {R"({"models":[""]})", "models"},
      {R"({"models":["a,b"]})", "models"},
      {R"({"models":[1]})", "models"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    const Status status = PolicyFromJson(c.json).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(c.mentions), std::string::npos) << status.message();
  }
  EXPECT_EQ(PolicyFromJson(std::string(kMaxPolicyJsonBytes + 1, ' ')).status().code(), StatusCode::kInvalidArgument);
}

TEST(Policy, AKeysOverrideReplacesOnlyTheFieldsItSets) {
  const Policy tenant = *PolicyFromJson(R"({"requests_per_minute":60,"models":["a"],"tier":"premium"})");
  const Policy key = *PolicyFromJson(R"({"requests_per_minute":10,"tier":"batch"})");
  const Policy merged = Overlay(tenant, key);
  EXPECT_EQ(merged.requests_per_minute, 10);
  EXPECT_EQ(merged.tier, Tier::kBatch);
  EXPECT_TRUE(AllowsModel(merged, "a"));
  EXPECT_FALSE(AllowsModel(merged, "b"));
  EXPECT_TRUE(AllowsModel(Policy{}, "anything"));
  EXPECT_EQ(EffectiveTier(Policy{}), Tier::kStandard);
}

TEST(PolicyChangeFromFlags, ParsesNumbersListsAndUnset) {
  StatusOr<std::string> change = PolicyChangeFromFlags(
      {{"requests_per_minute", "60"}, {"budget_kwh", "0.5"}, {"models", "a,b"}, {"tier", "batch"}, {"max_concurrent", "unset"}});
  ASSERT_TRUE(change.ok()) << change.status().ToString();
  const Policy policy = *ApplyPolicyChange(*PolicyFromJson(R"({"max_concurrent":3})"), *change);
  EXPECT_EQ(policy.requests_per_minute, 60);
  EXPECT_DOUBLE_EQ(*policy.budget_kwh, 0.5);
  EXPECT_EQ(policy.models, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(policy.max_concurrent.has_value());
  EXPECT_EQ(PolicyChangeFromFlags({{"requests_per_minute", "6O"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PolicyChangeFromFlags({{"budget_money", "ten"}}).status().code(), StatusCode::kInvalidArgument);
  // A list with an empty name passes the flag parser and fails the policy's check.
  EXPECT_FALSE(ApplyPolicyChange(Policy{}, *PolicyChangeFromFlags({{"models", "a,,b"}})).ok());
}

}  // namespace
}  // namespace fab::control
