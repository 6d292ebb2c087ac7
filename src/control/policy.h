// Policy: what a tenant, or one of its keys, may use — allowed models, rate
// limits, concurrency, budgets per period in tokens, kWh and money, and the
// priority tier. Every field is optional: on a tenant, absent means "no
// limit" (tier: standard); on a key, absent means "the tenant's". Stored
// and exchanged as JSON with these names (the admin API's bodies too):
//   {"requests_per_minute":60, "tokens_per_minute":100000,
//    "max_concurrent":4, "budget_tokens":1000000, "budget_kwh":2.5,
//    "budget_money":10.0, "budget_period":"day"|"month",
//    "models":["a","b"], "tier":"premium"|"standard"|"batch"}
// A change is a JSON object of the same names where null removes a field.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace fab::control {

// The scheduler's priority of each tier: premium runs first.
enum class Tier { kPremium, kStandard, kBatch };
enum class BudgetPeriod { kDay, kMonth };

std::string_view TierName(Tier tier);
std::optional<Tier> ParseTier(std::string_view name);
std::string_view BudgetPeriodName(BudgetPeriod period);
std::optional<BudgetPeriod> ParseBudgetPeriod(std::string_view name);

// The budget period that holds `at_ms` (Unix milliseconds, UTC):
// "day:2026-12-07" or "month:2026-12".
std::string PeriodKey(BudgetPeriod period, int64_t at_ms);

// Caps on what a policy may hold, so that no input makes an absurd one.
inline constexpr int64_t kMaxPolicyCount = int64_t{1} << 50;  // requests, tokens, concurrency
inline constexpr double kMaxPolicyAmount = 1e15;              // kWh, money
inline constexpr size_t kMaxPolicyModels = 256;
inline constexpr size_t kMaxModelNameBytes = 256;
inline constexpr size_t kMaxPolicyJsonBytes = 64 * 1024;

struct Policy {
  std::optional<int64_t> requests_per_minute;
  std::optional<int64_t> tokens_per_minute;  // prompt + completion tokens
  std::optional<int64_t> max_concurrent;
  std::optional<int64_t> budget_tokens;
  std::optional<double> budget_kwh;
  std::optional<double> budget_money;
  std::optional<BudgetPeriod> budget_period;  // of the budgets; absent: month
  std::optional<std::vector<std::string>> models;  // absent: every model
  std::optional<Tier> tier;                        // absent: standard

  bool operator==(const Policy&) const = default;
};

// `over`'s fields replace `base`'s where set (a key's override over its
// tenant's policy).
Policy Overlay(const Policy& base, const Policy& over);

// True when the policy allows `model` (no list, or the list names it).
bool AllowsModel(const Policy& policy, std::string_view model);
Tier EffectiveTier(const Policy& policy);

// Compact JSON of the set fields ("{}" for none).
std::string PolicyToJson(const Policy& policy);

// `policy` with the change in `change_json` applied: each named field set,
// or removed when null. InvalidArgument, naming the field, for malformed
// JSON, a non-object, an unknown field, a value of the wrong type, a
// negative or too large number, a bad tier or period, or a bad model list.
StatusOr<Policy> ApplyPolicyChange(const Policy& policy, std::string_view change_json);

// A stored policy (PolicyToJson's output): ApplyPolicyChange on {}.
StatusOr<Policy> PolicyFromJson(std::string_view json);

// The change that command-line flags describe: pairs of (JSON field name,
// flag text). Text "unset" removes the field; numbers are parsed per field;
// "models" is a comma-separated list. The result is a JSON change for
// ApplyPolicyChange. InvalidArgument names the field for unparsable text.
StatusOr<std::string> PolicyChangeFromFlags(const std::vector<std::pair<std::string, std::string>>& flags);

}  // namespace fab::control
