// What a generation job owes the books (control/governor.h): admission
// before anything runs — 429 with Retry-After, OpenAI's x-ratelimit-*
// headers and codes (rate_limit_exceeded, insufficient_quota), or 503 when
// the books cannot be read — and the ledger row that must be durable
// before the job's final usage goes out. Without a governor (serve without
// --db) every job is admitted and only metrics see its energy and cost.
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "control/cost_model.h"
#include "control/governor.h"
#include "control/policy.h"
#include "control/slo.h"
#include "request/priority.h"
#include "server/access_control.h"
#include "server/api_result.h"

namespace fab::server {

struct Metering {
  control::Books* books = nullptr;        // null: no books (no admin API); else outlives the handler
  control::Governor* governor = nullptr;  // null: no books; else outlives the handler
  control::CostModel cost;                // prices of energy and machine time
  control::SloTargets slo;                // what each tier's requests should get (goodput metrics)
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct AdmittedJob {
  bool reserved = false;  // the books hold a reservation to settle or release
  HeaderList headers;     // x-ratelimit-* for the response
};

// Admits the job `request_id` of `caller` whose choices may use `n_tokens`
// (prompt + max_tokens, summed over choices), reserving its worst case.
ApiResult<AdmittedJob> AdmitJob(const Metering& metering, const Caller& caller, const std::string& request_id,
                                int64_t n_tokens);

// The tier a request runs at: its key's (control::EffectiveTier; standard
// without a key), lowered — never raised — by OpenAI's service_tier
// ("priority" asks for premium, "flex" for batch, "auto"/"default"/"scale"
// for standard).
control::Tier ResolveTier(const Caller& caller, const std::optional<std::string>& service_tier);

// The engine priority of a sequence at `tier`: premium and batch decide it;
// standard keeps the request's own (`asked`: interactive unless it said batch).
Priority TierPriority(control::Tier tier, Priority asked);

// Undoes an admission whose job never ran (the engine refused it).
void ReleaseJob(const Metering& metering, const std::string& request_id);

// OpenAI's x-ratelimit-{limit,remaining,reset}-{requests,tokens}; only the
// kinds the caller has limits on. Resets read like "1s" or "6m0s".
HeaderList RateLimitHeaders(const control::RateLimitState& limits);

}  // namespace fab::server
