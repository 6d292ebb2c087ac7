#include "control/usage_report.h"

#include <ctime>

#include "control/api_key.h"

namespace fab::control {
namespace {

// The value at quantile q of `column` over the tenant's rows in range, or
// nullopt without rows having one.
StatusOr<std::optional<double>> Quantile(Database& db, const std::string& column, const std::string& tenant,
                                         int64_t since_ms, int64_t until_ms, double q) {
  const std::string where = " FROM ledger WHERE tenant = $1 AND arrival_ms >= $2 AND arrival_ms < $3 AND " + column +
                            " IS NOT NULL";
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> count, db.Query("SELECT COUNT(*)" + where, {tenant, since_ms, until_ms}));
  const int64_t n = SqlInt(count.front()[0]);
  if (n == 0) return std::optional<double>();
  // Nearest rank: the ceil(q·n)-th smallest.
  int64_t rank = static_cast<int64_t>(q * static_cast<double>(n) + 0.999999999);
  rank = std::max<int64_t>(1, std::min(rank, n));
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> row,
                       db.Query("SELECT " + column + where + " ORDER BY " + column + " LIMIT 1 OFFSET $4",
                                {tenant, since_ms, until_ms, rank - 1}));
  if (row.empty()) return std::optional<double>();
  return std::optional<double>(SqlDouble(row.front()[0]));
}

// `amount` per prompt + completion token, 0 without tokens.
double PerToken(double amount, int64_t prompt_tokens, int64_t completion_tokens) {
  const int64_t tokens = prompt_tokens + completion_tokens;
  return tokens > 0 ? amount / static_cast<double>(tokens) : 0.0;
}

}  // namespace

double UsageTotals::joules_per_token() const { return PerToken(joules, prompt_tokens, completion_tokens); }
double UsageTotals::cost_per_mtok() const { return PerToken(cost, prompt_tokens, completion_tokens) * 1e6; }

StatusOr<std::vector<UsageTotals>> QueryUsage(Database& db, const std::optional<std::string>& tenant,
                                              int64_t since_ms, int64_t until_ms) {
  std::string sql =
      "SELECT tenant, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens), SUM(joules), "
      "SUM(cost), MIN(energy_source), MAX(energy_source) FROM ledger WHERE arrival_ms >= $1 AND arrival_ms < $2";
  SqlParams params = {since_ms, until_ms};
  if (tenant) {
    sql += " AND tenant = $3";
    params.push_back(*tenant);
  }
  sql += " GROUP BY tenant ORDER BY tenant";
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows, db.Query(sql, params));
  std::vector<UsageTotals> report;
  for (const SqlRow& row : rows) {
    UsageTotals t;
    t.tenant = SqlText(row[0]);
    t.requests = SqlInt(row[1]);
    t.prompt_tokens = SqlInt(row[2]);
    t.completion_tokens = SqlInt(row[3]);
    t.cached_tokens = SqlInt(row[4]);
    t.joules = SqlDouble(row[5]);
    t.cost = SqlDouble(row[6]);
    t.energy_sources = SqlText(row[7]);
    if (SqlText(row[8]) != t.energy_sources) t.energy_sources += "," + SqlText(row[8]);
    FAB_ASSIGN_OR_RETURN(t.e2e_p50_s, Quantile(db, "e2e_s", t.tenant, since_ms, until_ms, 0.50));
    FAB_ASSIGN_OR_RETURN(t.e2e_p99_s, Quantile(db, "e2e_s", t.tenant, since_ms, until_ms, 0.99));
    FAB_ASSIGN_OR_RETURN(t.ttft_p50_s, Quantile(db, "ttft_s", t.tenant, since_ms, until_ms, 0.50));
    FAB_ASSIGN_OR_RETURN(t.ttft_p99_s, Quantile(db, "ttft_s", t.tenant, since_ms, until_ms, 0.99));
    report.push_back(std::move(t));
  }
  return report;
}

double ModelUsage::joules_per_token() const { return PerToken(joules, prompt_tokens, completion_tokens); }
double ModelUsage::cost_per_mtok() const { return PerToken(cost, prompt_tokens, completion_tokens) * 1e6; }

StatusOr<std::vector<ModelUsage>> QueryModelUsage(Database& db, int64_t since_ms, int64_t until_ms) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       db.Query("SELECT model, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(joules), "
                                "SUM(cost) FROM ledger WHERE arrival_ms >= $1 AND arrival_ms < $2 "
                                "GROUP BY model ORDER BY model",
                                {since_ms, until_ms}));
  std::vector<ModelUsage> report;
  for (const SqlRow& row : rows) {
    ModelUsage u;
    u.model = SqlText(row[0]);
    u.requests = SqlInt(row[1]);
    u.prompt_tokens = SqlInt(row[2]);
    u.completion_tokens = SqlInt(row[3]);
    u.joules = SqlDouble(row[4]);
    u.cost = SqlDouble(row[5]);
    const std::string tpot = "(e2e_s - ttft_s) / (completion_tokens - 1)";
    const std::string where = " FROM ledger WHERE model = $1 AND arrival_ms >= $2 AND arrival_ms < $3 AND "
                              "ttft_s IS NOT NULL AND completion_tokens > 1";
    FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> count, db.Query("SELECT COUNT(*)" + where, {u.model, since_ms, until_ms}));
    const int64_t n = SqlInt(count.front()[0]);
    if (n > 0) {
      FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> median,
                           db.Query("SELECT " + tpot + where + " ORDER BY " + tpot + " LIMIT 1 OFFSET $4",
                                    {u.model, since_ms, until_ms, (n - 1) / 2}));
      if (!median.empty()) u.median_tpot_s = SqlDouble(median.front()[0]);
    }
    report.push_back(std::move(u));
  }
  return report;
}

StatusOr<int64_t> ParseSince(const std::string& text, int64_t now_ms) {
  if (StatusOr<int64_t> seconds = ParseDurationSeconds(text); seconds.ok()) return now_ms - *seconds * 1000;
  std::tm utc{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  if (end == nullptr || *end != '\0') {
    utc = {};
    end = strptime(text.c_str(), "%Y-%m-%d", &utc);
  }
  if (end == nullptr || *end != '\0') {
    return InvalidArgumentError("--since '" + text.substr(0, 64) +
                                "' is neither a duration (24h, 7d) nor a UTC date (2026-12-01 or 2026-12-01T10:00:00Z)");
  }
  return static_cast<int64_t>(timegm(&utc)) * 1000;
}

}  // namespace fab::control
