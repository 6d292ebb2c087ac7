#include "control/quota_gate.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "control/cost_model.h"

namespace fab::control {
namespace {

// Rate events older than this are deleted (at most every kPruneEveryMs).
constexpr int64_t kRateEventRetentionMs = 2 * kRateWindowMs;
constexpr int64_t kPruneEveryMs = 10'000;

struct Scope {
  std::string scope;   // "tenant:…" / "key:…"
  const char* column;  // its column in reservations and rate_events
  const Policy& policy;
  std::string label;   // "tenant 'acme'" / "key key_…"
};

void Refuse(AdmissionDecision& decision, Refusal refusal, std::string message, double retry_after_s = 0) {
  if (!decision.admitted()) return;  // the first refusal stands
  decision.refusal = refusal;
  decision.message = std::move(message);
  decision.retry_after_s = std::max(1, static_cast<int>(std::ceil(retry_after_s)));
}

std::string Count(int64_t n) { return std::to_string(n); }

// Requests and tokens per sliding minute.
Status CheckRates(SqlConnection& c, const Scope& s, const QuotaRequest& request, int64_t now_ms,
                  AdmissionDecision& decision) {
  const Policy& p = s.policy;
  if (!p.requests_per_minute && !p.tokens_per_minute) return OkStatus();
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       c.Query(std::string("SELECT at_ms, tokens FROM rate_events WHERE ") + s.column +
                                   " = $1 AND at_ms > $2 ORDER BY at_ms",
                               {s.scope, now_ms - kRateWindowMs}));
  const auto n_events = static_cast<int64_t>(rows.size());
  // When the window will have dropped every event up to index `i`.
  const auto leaves_s = [&](size_t i) { return (SqlInt(rows[i][0]) + kRateWindowMs - now_ms) / 1000.0; };
  RateLimitState& limits = decision.limits;
  if (p.requests_per_minute) {
    const int64_t limit = *p.requests_per_minute;
    const int64_t remaining = std::max<int64_t>(0, limit - n_events);
    if (!limits.remaining_requests || remaining < *limits.remaining_requests) {
      limits.limit_requests = limit;
      limits.remaining_requests = remaining;
      limits.reset_requests_s = n_events > 0 ? leaves_s(0) : 0;
    }
    if (n_events + 1 > limit) {
      const double wait = limit == 0 ? 60.0 : leaves_s(static_cast<size_t>(n_events - limit));
      Refuse(decision, Refusal::kRateLimited,
             "rate limit reached for " + s.label + ": " + Count(limit) + " requests per minute", wait);
    }
  }
  if (p.tokens_per_minute) {
    const int64_t limit = *p.tokens_per_minute;
    int64_t used = 0;
    for (const SqlRow& row : rows) used += SqlInt(row[1]);
    const int64_t remaining = std::max<int64_t>(0, limit - used);
    if (!limits.remaining_tokens || remaining < *limits.remaining_tokens) {
      limits.limit_tokens = limit;
      limits.remaining_tokens = remaining;
      limits.reset_tokens_s = n_events > 0 ? leaves_s(0) : 0;
    }
    if (request.n_tokens > limit) {
      Refuse(decision, Refusal::kRateLimited,
             "the request may use " + Count(request.n_tokens) + " tokens (prompt + max_tokens), more than the " +
                 s.label + "'s limit of " + Count(limit) + " tokens per minute; lower max_tokens",
             60.0);
    } else if (used + request.n_tokens > limit) {
      size_t i = 0;
      for (int64_t left = used; i < rows.size() && left + request.n_tokens > limit; ++i) left -= SqlInt(rows[i][1]);
      Refuse(decision, Refusal::kRateLimited,
             "rate limit reached for " + s.label + ": " + Count(limit) + " tokens per minute (" + Count(used) +
                 " used in the last minute, this request may use " + Count(request.n_tokens) + ")",
             leaves_s(i > 0 ? i - 1 : 0));
    }
  }
  return OkStatus();
}

Status CheckConcurrency(SqlConnection& c, const Scope& s, int64_t now_ms, AdmissionDecision& decision) {
  if (!s.policy.max_concurrent) return OkStatus();
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       c.Query(std::string("SELECT COUNT(*) FROM reservations WHERE ") + s.column +
                                   " = $1 AND expires_ms > $2",
                               {s.scope, now_ms}));
  const int64_t in_flight = SqlInt(rows.front()[0]);
  if (in_flight + 1 > *s.policy.max_concurrent) {
    Refuse(decision, Refusal::kRateLimited,
           "concurrency limit reached for " + s.label + ": " + Count(*s.policy.max_concurrent) +
               " requests in flight at once",
           1.0);
  }
  return OkStatus();
}

Status CheckBudgets(SqlConnection& c, const Scope& s, const QuotaRequest& request, int64_t now_ms,
                    AdmissionDecision& decision) {
  const Policy& p = s.policy;
  if (!p.budget_tokens && !p.budget_kwh && !p.budget_money) return OkStatus();
  const std::string period = PeriodKey(p.budget_period.value_or(BudgetPeriod::kMonth), now_ms);
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> committed,
                       c.Query("SELECT tokens, joules, money FROM quota_usage WHERE scope = $1 AND period = $2",
                               {s.scope, period}));
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> reserved,
                       c.Query(std::string("SELECT COALESCE(SUM(tokens), 0), COALESCE(SUM(joules), 0), "
                                           "COALESCE(SUM(money), 0) FROM reservations WHERE ") +
                                   s.column + " = $1 AND expires_ms > $2",
                               {s.scope, now_ms}));
  const SqlRow none = {int64_t{0}, 0.0, 0.0};
  const SqlRow& used = committed.empty() ? none : committed.front();
  const SqlRow& held = reserved.front();
  const auto over = [&](double used_amount, double held_amount, double asked, double budget, const std::string& unit) {
    if (used_amount + held_amount + asked <= budget) return;
    char text[320];
    std::snprintf(text, sizeof text, " has used %.6g of its %.6g %s budget for %s (%.6g more held by requests in flight); "
                  "this request may need %.6g",
                  used_amount, budget, unit.c_str(), period.c_str(), held_amount, asked);
    Refuse(decision, Refusal::kQuotaExhausted, "the " + s.label + text);
  };
  if (p.budget_tokens) {
    over(static_cast<double>(SqlInt(used[0])), static_cast<double>(SqlInt(held[0])),
         static_cast<double>(request.n_tokens), static_cast<double>(*p.budget_tokens), "token");
  }
  if (p.budget_kwh) {
    over(SqlDouble(used[1]) / kJoulesPerKwh, SqlDouble(held[1]) / kJoulesPerKwh, request.joules / kJoulesPerKwh,
         *p.budget_kwh, "kWh");
  }
  if (p.budget_money) over(SqlDouble(used[2]), SqlDouble(held[2]), request.money, *p.budget_money, "money");
  return OkStatus();
}

Status Prune(SqlConnection& c, int64_t now_ms) {
  FAB_RETURN_IF_ERROR(c.Execute("DELETE FROM rate_events WHERE at_ms < $1", {now_ms - kRateEventRetentionMs}));
  return c.Execute("DELETE FROM reservations WHERE expires_ms < $1", {now_ms});
}

}  // namespace

std::string TenantScope(const std::string& tenant_id) { return "tenant:" + tenant_id; }
std::string KeyScope(const std::string& key_id) { return "key:" + key_id; }

Status QuotaGate::ReleaseNodeReservations() {
  return database_.Transaction(
      [&](SqlConnection& c) { return c.Execute("DELETE FROM reservations WHERE node = $1", {node_}); });
}

StatusOr<AdmissionDecision> QuotaGate::Admit(const Principal& principal, const QuotaRequest& request,
                                             int64_t now_ms) {
  const Scope scopes[] = {
      {TenantScope(principal.tenant_id), "tenant_scope", principal.tenant_policy,
       "tenant '" + principal.tenant_name + "'"},
      {KeyScope(principal.key_id), "key_scope", principal.key_policy, "key " + principal.key_id},
  };
  const bool prune = now_ms - last_prune_ms_.load() > kPruneEveryMs;
  if (prune) last_prune_ms_.store(now_ms);
  AdmissionDecision decision;
  FAB_RETURN_IF_ERROR(database_.Transaction(
      [&](SqlConnection& c) -> Status {
        decision = AdmissionDecision{};
        if (prune) FAB_RETURN_IF_ERROR(Prune(c, now_ms));
        for (const Scope& s : scopes) {
          FAB_RETURN_IF_ERROR(CheckRates(c, s, request, now_ms, decision));
          FAB_RETURN_IF_ERROR(CheckConcurrency(c, s, now_ms, decision));
          FAB_RETURN_IF_ERROR(CheckBudgets(c, s, request, now_ms, decision));
        }
        if (!decision.admitted()) return OkStatus();
        FAB_RETURN_IF_ERROR(c.Execute(
            "INSERT INTO reservations (request_id, tenant_scope, key_scope, tokens, joules, money, node, expires_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            {request.request_id, scopes[0].scope, scopes[1].scope, request.n_tokens, request.joules, request.money,
             node_, now_ms + static_cast<int64_t>(lease_.count())}));
        return c.Execute(
            "INSERT INTO rate_events (request_id, tenant_scope, key_scope, at_ms, tokens) VALUES ($1, $2, $3, $4, $5)",
            {request.request_id, scopes[0].scope, scopes[1].scope, now_ms, request.n_tokens});
      },
      /*exclusive=*/true, /*durable=*/false));
  if (decision.admitted()) {
    // This request is now in the window too.
    RateLimitState& limits = decision.limits;
    if (limits.remaining_requests) limits.remaining_requests = std::max<int64_t>(0, *limits.remaining_requests - 1);
    if (limits.remaining_tokens) {
      limits.remaining_tokens = std::max<int64_t>(0, *limits.remaining_tokens - request.n_tokens);
    }
  }
  return decision;
}

Status QuotaGate::Release(const std::string& request_id) {
  return database_.Transaction(
      [&](SqlConnection& c) -> Status {
        FAB_RETURN_IF_ERROR(c.Execute("DELETE FROM reservations WHERE request_id = $1", {request_id}));
        return c.Execute("DELETE FROM rate_events WHERE request_id = $1", {request_id});
      },
      /*exclusive=*/true, /*durable=*/false);
}

}  // namespace fab::control
