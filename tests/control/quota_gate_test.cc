#include "control/quota_gate.h"

#include <gtest/gtest.h>

#include "control/ledger.h"
#include "control/test_databases.h"

namespace fab::control {
namespace {

using testing::Backend;

constexpr int64_t kT0 = 1'800'000'000'000;  // 2027-01-15, Unix ms

class QuotaGateTest : public testing::BooksTestBase {
 protected:
  void SetUp() override {
    BooksTestBase::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(books_->tenants().CreateTenant("acme", "test").ok());
    key_ = books_->tenants().CreateKey("acme", std::nullopt, false, "test")->record;
    gate_ = std::make_unique<QuotaGate>(books_->database(), "node-a");
  }

  // The principal of key_ under these tenant and key policies.
  Principal Caller(const std::string& tenant_policy, const std::string& key_policy = "{}") {
    Principal p{key_.id, key_.tenant_id, "acme", false, {}, *PolicyFromJson(tenant_policy), *PolicyFromJson(key_policy)};
    p.policy = Overlay(p.tenant_policy, p.key_policy);
    return p;
  }

  AdmissionDecision Admit(const Principal& principal, int64_t n_tokens, int64_t at_ms, double joules = 0,
                          double money = 0) {
    StatusOr<AdmissionDecision> decision =
        gate_->Admit(principal, {"req-" + std::to_string(++n_requests_), n_tokens, joules, money}, at_ms);
    EXPECT_TRUE(decision.ok()) << decision.status().ToString();
    if (decision.ok()) return *decision;
    AdmissionDecision failed;
    failed.refusal = Refusal::kRateLimited;
    failed.message = "database error";
    return failed;
  }

  LedgerRow Row(const std::string& request_id, int64_t prompt, int64_t completion, int64_t at_ms) {
    LedgerRow row;
    row.request_id = request_id;
    row.tenant_id = key_.tenant_id;
    row.tenant = "acme";
    row.key_id = key_.id;
    row.model = "m";
    row.tier = "standard";
    row.arrival_ms = at_ms;
    row.prompt_tokens = prompt;
    row.completion_tokens = completion;
    row.finish_reason = "stop";
    row.joules = 2.0;
    row.energy_source = "model";
    row.cost = 0.5;
    return row;
  }

  Status Settle(const LedgerRow& row) {
    return books_->database().Transaction([&](SqlConnection& c) { return WriteLedgerRow(c, row); });
  }

  int64_t Count(const std::string& sql) { return SqlInt(books_->database().Query(sql)->front()[0]); }

  ApiKeyRecord key_;
  std::unique_ptr<QuotaGate> gate_;
  int n_requests_ = 0;
};

TEST_P(QuotaGateTest, AnRpmLimitAdmitsAtMostThatManyInAnySlidingMinute) {
  const Principal caller = Caller(R"({"requests_per_minute":60})");
  // 60 at once fit; the 61st waits until the first leaves the window.
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(Admit(caller, 10, kT0 + i * 100).admitted()) << i;
  const AdmissionDecision refused = Admit(caller, 10, kT0 + 30'000);
  EXPECT_EQ(refused.refusal, Refusal::kRateLimited);
  EXPECT_EQ(refused.retry_after_s, 30);  // the first leaves at kT0 + 60 s
  EXPECT_EQ(refused.limits.limit_requests, 60);
  EXPECT_EQ(refused.limits.remaining_requests, 0);
  EXPECT_FALSE(Admit(caller, 10, kT0 + 59'999).admitted());
  EXPECT_TRUE(Admit(caller, 10, kT0 + 60'001).admitted());  // the first (at kT0) has left
  EXPECT_FALSE(Admit(caller, 10, kT0 + 60'050).admitted());  // the second leaves at 60.1 s
}

TEST_P(QuotaGateTest, ATokensPerMinuteLimitCountsPromptPlusMaxTokens) {
  const Principal caller = Caller(R"({"tokens_per_minute":1000})");
  AdmissionDecision first = Admit(caller, 600, kT0);
  ASSERT_TRUE(first.admitted());
  EXPECT_EQ(first.limits.remaining_tokens, 400);
  EXPECT_EQ(Admit(caller, 500, kT0 + 1000).refusal, Refusal::kRateLimited);
  EXPECT_TRUE(Admit(caller, 400, kT0 + 1000).admitted());
  const AdmissionDecision too_big = Admit(caller, 1001, kT0 + 120'000);
  EXPECT_EQ(too_big.refusal, Refusal::kRateLimited);
  EXPECT_NE(too_big.message.find("lower max_tokens"), std::string::npos) << too_big.message;
}

TEST_P(QuotaGateTest, ConcurrencyCountsUnsettledReservations) {
  const Principal caller = Caller("{}", R"({"max_concurrent":2})");
  ASSERT_TRUE(Admit(caller, 10, kT0).admitted());
  ASSERT_TRUE(Admit(caller, 10, kT0).admitted());
  EXPECT_EQ(Admit(caller, 10, kT0).refusal, Refusal::kRateLimited);
  ASSERT_TRUE(Settle(Row("req-1", 5, 5, kT0)).ok());
  EXPECT_TRUE(Admit(caller, 10, kT0).admitted());
  ASSERT_TRUE(gate_->Release("req-2").ok());
  EXPECT_TRUE(Admit(caller, 10, kT0).admitted());
}

TEST_P(QuotaGateTest, ATokenBudgetCountsCommittedAndReservedUsage) {
  const Principal caller = Caller(R"({"budget_tokens":1000,"budget_period":"day"})");
  ASSERT_TRUE(Admit(caller, 700, kT0).admitted());
  const AdmissionDecision refused = Admit(caller, 400, kT0);
  EXPECT_EQ(refused.refusal, Refusal::kQuotaExhausted);
  EXPECT_NE(refused.message.find("budget"), std::string::npos) << refused.message;
  // The first request used only 100 tokens of its 700.
  ASSERT_TRUE(Settle(Row("req-1", 60, 40, kT0)).ok());
  EXPECT_TRUE(Admit(caller, 800, kT0 + 1).admitted());
  EXPECT_FALSE(Admit(caller, 101, kT0 + 2).admitted());
  // A new day starts a new budget.
  EXPECT_TRUE(Admit(caller, 1000, kT0 + 86'400'000).admitted());
}

TEST_P(QuotaGateTest, EnergyAndMoneyBudgetsUseTheReservedJoulesAndMoney) {
  const Principal caller = Caller(R"({"budget_kwh":0.001,"budget_money":1.0})");  // 0.001 kWh = 3600 J
  ASSERT_TRUE(Admit(caller, 10, kT0, 3000.0, 0.1).admitted());
  EXPECT_EQ(Admit(caller, 10, kT0, 700.0, 0.1).refusal, Refusal::kQuotaExhausted);
  EXPECT_EQ(Admit(caller, 10, kT0, 100.0, 0.95).refusal, Refusal::kQuotaExhausted);
  EXPECT_TRUE(Admit(caller, 10, kT0, 500.0, 0.5).admitted());
}

TEST_P(QuotaGateTest, SettlingWritesOneRowAndTheCountersEqualTheLedgerSums) {
  const Principal caller = Caller("{}");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Admit(caller, 100, kT0 + i).admitted());
  for (int i = 1; i <= 5; ++i) {
    const LedgerRow row = Row("req-" + std::to_string(i), 10 * i, i, kT0 + i);
    ASSERT_TRUE(Settle(row).ok());
    ASSERT_TRUE(Settle(row).ok());  // a retried write changes nothing
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reservations"), 0);
  const int64_t ledger_tokens = Count("SELECT SUM(prompt_tokens + completion_tokens) FROM ledger");
  EXPECT_EQ(ledger_tokens, 165);
  for (const std::string& scope : {TenantScope(key_.tenant_id), KeyScope(key_.id)}) {
    for (const std::string& period : {PeriodKey(BudgetPeriod::kDay, kT0), PeriodKey(BudgetPeriod::kMonth, kT0)}) {
      const std::vector<SqlRow> rows = *books_->database().Query(
          "SELECT tokens, joules, money FROM quota_usage WHERE scope = $1 AND period = $2", {scope, period});
      ASSERT_EQ(rows.size(), 1u) << scope << " " << period;
      EXPECT_EQ(SqlInt(rows[0][0]), ledger_tokens);
      EXPECT_DOUBLE_EQ(SqlDouble(rows[0][1]), 10.0);
      EXPECT_DOUBLE_EQ(SqlDouble(rows[0][2]), 2.5);
    }
  }
}

TEST_P(QuotaGateTest, ARestartedNodeDropsOnlyItsOwnReservations) {
  const Principal caller = Caller("{}");
  ASSERT_TRUE(Admit(caller, 10, kT0).admitted());
  QuotaGate other(books_->database(), "node-b");
  ASSERT_TRUE(other.Admit(caller, {"other-1", 10, 0, 0}, kT0)->admitted());
  ASSERT_TRUE(QuotaGate(books_->database(), "node-a").ReleaseNodeReservations().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reservations"), 1);
}

TEST_P(QuotaGateTest, KeyAndTenantLimitsAreCountedApart) {
  const NewKey second = *books_->tenants().CreateKey("acme", std::nullopt, false, "test");
  Principal a = Caller(R"({"requests_per_minute":3})", R"({"requests_per_minute":2})");
  Principal b = a;
  b.key_id = second.record.id;
  b.key_policy = Policy{};
  ASSERT_TRUE(Admit(a, 1, kT0).admitted());
  ASSERT_TRUE(Admit(a, 1, kT0).admitted());
  EXPECT_FALSE(Admit(a, 1, kT0).admitted());  // the key's 2
  EXPECT_TRUE(Admit(b, 1, kT0).admitted());   // the tenant's third
  EXPECT_FALSE(Admit(b, 1, kT0).admitted());  // the tenant's 3
}

INSTANTIATE_TEST_SUITE_P(Backends, QuotaGateTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace fab::control
