// Usage reports from the ledger: per tenant, over [since, until), the
// requests, OpenAI-named token counts, energy (joules, kWh, joules per
// token), money (cost and cost per million tokens) and the p50/p99 of
// end-to-end time and time to first token. What `tokenfab usage` and GET
// /admin/v1/usage print. Percentiles are exact (the ledger's own rows,
// picked with ORDER BY … OFFSET). Thread-safe (Database locks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/cost_model.h"
#include "control/database.h"

namespace fab::control {

struct UsageTotals {
  std::string tenant;
  int64_t requests = 0;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;
  double joules = 0.0;
  double cost = 0.0;
  std::string energy_sources;  // the labels of its rows, comma-separated
  std::optional<double> e2e_p50_s, e2e_p99_s, ttft_p50_s, ttft_p99_s;

  double kwh() const { return joules / kJoulesPerKwh; }
  // Per token of prompt + completion; 0 without tokens.
  double joules_per_token() const;
  double cost_per_mtok() const;
};

// A model's books: what its requests cost and used, and the interactivity
// they had (the median time per output token of its rows with two or more
// completion tokens: (e2e − ttft) / (completion_tokens − 1)).
struct ModelUsage {
  std::string model;
  int64_t requests = 0;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  double joules = 0.0;
  double cost = 0.0;
  std::optional<double> median_tpot_s;

  double joules_per_token() const;  // per prompt + completion token; 0 without tokens
  double cost_per_mtok() const;
};

// One ModelUsage per model with rows in [since, until), by name.
StatusOr<std::vector<ModelUsage>> QueryModelUsage(Database& database, int64_t since_ms, int64_t until_ms);

// One UsageTotals per tenant with rows (only `tenant` when given), by name.
StatusOr<std::vector<UsageTotals>> QueryUsage(Database& database, const std::optional<std::string>& tenant,
                                              int64_t since_ms, int64_t until_ms);

// "24h", "7d" (that long before `now_ms`), "2026-12-01" or
// "2026-12-01T10:00:00Z" (UTC) → Unix ms; InvalidArgument otherwise.
StatusOr<int64_t> ParseSince(const std::string& text, int64_t now_ms);

}  // namespace fab::control
