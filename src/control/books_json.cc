#include "control/books_json.h"

#include <ctime>

namespace fab::control {
namespace {

namespace json = boost::json;

json::value OptionalTime(std::optional<int64_t> ms) { return ms ? json::value(UtcTime(ms)) : json::value(nullptr); }
json::value OptionalNumber(std::optional<double> x) { return x ? json::value(*x) : json::value(nullptr); }

}  // namespace

std::string UtcTime(std::optional<int64_t> ms) {
  if (!ms) return "-";
  const std::time_t seconds = static_cast<std::time_t>(*ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

json::object TenantJson(const Tenant& t) {
  return {{"id", t.id}, {"name", t.name}, {"policy", json::parse(PolicyToJson(t.policy))},
          {"created_at", UtcTime(t.created_at_ms)}};
}

json::object KeyJson(const ApiKeyRecord& k) {
  return {{"id", k.id},
          {"tenant", k.tenant_name},
          {"hint", k.hint},
          {"admin", k.admin},
          {"policy", json::parse(PolicyToJson(k.policy))},
          {"created_at", UtcTime(k.created_at_ms)},
          {"expires_at", OptionalTime(k.expires_at_ms)},
          {"revoked_at", OptionalTime(k.revoked_at_ms)}};
}

json::object AuditJson(const AuditEntry& e) {
  return {{"seq", e.seq},       {"at", UtcTime(e.at_ms)},     {"actor", e.actor},
          {"action", e.action}, {"subject", e.subject}, {"details", e.details}};
}

json::object AuditVerdictJson(const AuditVerdict& v) {
  json::object out{{"intact", v.intact}, {"entries", v.n_entries}};
  if (!v.intact) {
    out["first_bad_seq"] = v.first_bad_seq;
    out["problem"] = v.problem;
  }
  return out;
}

json::object UsageJson(const UsageTotals& u) {
  return {{"tenant", u.tenant},
          {"requests", u.requests},
          {"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens},
          {"cached_tokens", u.cached_tokens},
          {"total_tokens", u.prompt_tokens + u.completion_tokens},
          {"joules", u.joules},
          {"kwh", u.kwh()},
          {"joules_per_token", u.joules_per_token()},
          {"cost", u.cost},
          {"cost_per_mtok", u.cost_per_mtok()},
          {"energy_source", u.energy_sources},
          {"e2e_p50_s", OptionalNumber(u.e2e_p50_s)},
          {"e2e_p99_s", OptionalNumber(u.e2e_p99_s)},
          {"ttft_p50_s", OptionalNumber(u.ttft_p50_s)},
          {"ttft_p99_s", OptionalNumber(u.ttft_p99_s)}};
}

}  // namespace fab::control
