// The JSON forms of the books' records, one definition for `tokenfab
// tenants|keys|audit|usage --json` and the admin API (/admin/v1/…). Times
// are UTC RFC 3339 ("2026-12-07T12:47:04Z"); a key appears by id and hint,
// never its secret. Pure functions.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "control/audit_log.h"
#include "control/tenant_store.h"
#include "control/usage_report.h"

namespace fab::control {

// "2026-12-07T12:47:04Z" for Unix ms; "-" for none.
std::string UtcTime(std::optional<int64_t> ms);

boost::json::object TenantJson(const Tenant& tenant);
boost::json::object KeyJson(const ApiKeyRecord& key);
boost::json::object AuditJson(const AuditEntry& entry);
boost::json::object AuditVerdictJson(const AuditVerdict& verdict);
// Token counts under OpenAI's usage names (prompt_tokens, completion_tokens,
// cached_tokens), beside requests, joules, kwh, joules_per_token, cost,
// cost_per_mtok, energy_source and the latency percentiles (seconds).
boost::json::object UsageJson(const UsageTotals& usage);

}  // namespace fab::control
