#include "cli/admin_commands.h"

#include <pwd.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include "base/clock.h"
#include "cli/model_loader.h"
#include "control/api_key.h"
#include "control/audit_log.h"
#include "control/books.h"
#include "control/books_json.h"
#include "control/usage_report.h"

namespace fab::cli {
namespace {

namespace json = boost::json;
using control::ApiKeyRecord;
using control::Books;
using control::Tenant;

StatusOr<std::unique_ptr<Books>> OpenBooks(const AdminOptions& o) {
  return Books::Open(o.db_url.empty() ? control::DefaultDatabaseUrl() : o.db_url,
                     o.secret_file.empty() ? control::DefaultSecretPath() : o.secret_file);
}

// "cli:" + the user running the command.
std::string Actor() {
  const passwd* user = getpwuid(geteuid());
  return std::string("cli:") + (user != nullptr ? user->pw_name : std::to_string(geteuid()));
}

using control::KeyJson;
using control::TenantJson;
using control::UtcTime;

void PrintTenants(const std::vector<Tenant>& tenants, bool as_json) {
  if (as_json) {
    json::array array;
    for (const Tenant& t : tenants) array.push_back(TenantJson(t));
    std::printf("%s\n", json::serialize(array).c_str());
    return;
  }
  std::printf("%-24s %-20s %-20s %s\n", "NAME", "ID", "CREATED", "POLICY");
  for (const Tenant& t : tenants) {
    std::printf("%-24s %-20s %-20s %s\n", t.name.c_str(), t.id.c_str(), UtcTime(t.created_at_ms).c_str(),
                control::PolicyToJson(t.policy).c_str());
  }
}

void PrintKeys(const std::vector<ApiKeyRecord>& keys, bool as_json) {
  if (as_json) {
    json::array array;
    for (const ApiKeyRecord& k : keys) array.push_back(KeyJson(k));
    std::printf("%s\n", json::serialize(array).c_str());
    return;
  }
  std::printf("%-20s %-16s %-10s %-5s %-20s %-20s %-20s %s\n", "ID", "TENANT", "HINT", "ADMIN", "CREATED", "EXPIRES",
              "REVOKED", "POLICY");
  for (const ApiKeyRecord& k : keys) {
    std::printf("%-20s %-16s %-10s %-5s %-20s %-20s %-20s %s\n", k.id.c_str(), k.tenant_name.c_str(), k.hint.c_str(),
                k.admin ? "yes" : "no", UtcTime(k.created_at_ms).c_str(), UtcTime(k.expires_at_ms).c_str(),
                UtcTime(k.revoked_at_ms).c_str(), control::PolicyToJson(k.policy).c_str());
  }
}

}  // namespace

int RunTenantsCreate(const AdminOptions& o) {
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<Tenant> tenant = (*books)->tenants().CreateTenant(o.tenant, Actor());
  if (!tenant.ok()) return ReportError(tenant.status());
  if (!o.policy.empty()) {
    StatusOr<std::string> change = control::PolicyChangeFromFlags(o.policy);
    if (!change.ok()) return ReportError(change.status());
    tenant = (*books)->tenants().ChangeTenantPolicy(o.tenant, *change, Actor());
    if (!tenant.ok()) return ReportError(tenant.status());
  }
  PrintTenants({*tenant}, o.json);
  return 0;
}

int RunTenantsList(const AdminOptions& o) {
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<std::vector<Tenant>> tenants = (*books)->tenants().ListTenants();
  if (!tenants.ok()) return ReportError(tenants.status());
  PrintTenants(*tenants, o.json);
  return 0;
}

int RunTenantsSet(const AdminOptions& o) {
  if (o.policy.empty()) return ReportError(InvalidArgumentError("tenants set: give at least one policy flag"));
  StatusOr<std::string> change = control::PolicyChangeFromFlags(o.policy);
  if (!change.ok()) return ReportError(change.status());
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<Tenant> tenant = (*books)->tenants().ChangeTenantPolicy(o.tenant, *change, Actor());
  if (!tenant.ok()) return ReportError(tenant.status());
  PrintTenants({*tenant}, o.json);
  return 0;
}

int RunKeysCreate(const AdminOptions& o) {
  std::optional<int64_t> expires_at_ms;
  if (!o.expires_in.empty()) {
    StatusOr<int64_t> seconds = control::ParseDurationSeconds(o.expires_in);
    if (!seconds.ok()) return ReportError(seconds.status().WithContext("--expires-in"));
    expires_at_ms = UnixMillis() + *seconds * 1000;
  }
  if (o.tenant.empty() && !o.admin) return ReportError(InvalidArgumentError("keys create needs --tenant NAME"));
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  control::TenantStore& store = (*books)->tenants();
  std::string tenant = o.tenant;
  if (tenant.empty()) {
    tenant = "admin";
    if (StatusOr<Tenant> found = store.FindTenant(tenant); found.status().code() == StatusCode::kNotFound) {
      if (StatusOr<Tenant> created = store.CreateTenant(tenant, Actor()); !created.ok()) {
        return ReportError(created.status());
      }
    }
  }
  StatusOr<control::NewKey> key = store.CreateKey(tenant, expires_at_ms, o.admin, Actor());
  if (!key.ok()) return ReportError(key.status());
  std::printf("%s\n", key->key.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "tokenfab: %skey %s for tenant %s%s; it is shown only now\n", o.admin ? "admin " : "",
               key->record.id.c_str(), tenant.c_str(),
               expires_at_ms ? (", expires " + UtcTime(expires_at_ms)).c_str() : "");
  return 0;
}

int RunKeysList(const AdminOptions& o) {
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<std::vector<ApiKeyRecord>> keys =
      (*books)->tenants().ListKeys(o.tenant.empty() ? std::nullopt : std::optional<std::string>(o.tenant));
  if (!keys.ok()) return ReportError(keys.status());
  PrintKeys(*keys, o.json);
  return 0;
}

int RunKeysRevoke(const AdminOptions& o) {
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<ApiKeyRecord> key = (*books)->tenants().RevokeKey(o.key_id, Actor());
  if (!key.ok()) return ReportError(key.status());
  PrintKeys({*key}, o.json);
  return 0;
}

int RunKeysSet(const AdminOptions& o) {
  if (o.policy.empty()) return ReportError(InvalidArgumentError("keys set: give at least one policy flag"));
  StatusOr<std::string> change = control::PolicyChangeFromFlags(o.policy);
  if (!change.ok()) return ReportError(change.status());
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<ApiKeyRecord> key = (*books)->tenants().ChangeKeyPolicy(o.key_id, *change, Actor());
  if (!key.ok()) return ReportError(key.status());
  PrintKeys({*key}, o.json);
  return 0;
}

int RunAuditVerify(const AdminOptions& o) {
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<control::AuditVerdict> verdict = control::VerifyAudit((*books)->database(), (*books)->secret());
  if (!verdict.ok()) return ReportError(verdict.status());
  if (o.json) {
    std::printf("%s\n", json::serialize(control::AuditVerdictJson(*verdict)).c_str());
  } else if (verdict->intact) {
    std::printf("audit log intact: %lld entries\n", static_cast<long long>(verdict->n_entries));
  } else {
    std::printf("audit log BROKEN at entry %lld: %s\n", static_cast<long long>(verdict->first_bad_seq),
                verdict->problem.c_str());
  }
  return verdict->intact ? 0 : 1;
}

int RunAuditList(const AdminOptions& o) {
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<std::vector<control::AuditEntry>> entries = control::ListAudit((*books)->database(), o.limit);
  if (!entries.ok()) return ReportError(entries.status());
  if (o.json) {
    json::array array;
    for (const control::AuditEntry& e : *entries) array.push_back(control::AuditJson(e));
    std::printf("%s\n", json::serialize(array).c_str());
    return 0;
  }
  std::printf("%-6s %-20s %-16s %-14s %-20s %s\n", "SEQ", "AT", "ACTOR", "ACTION", "SUBJECT", "DETAILS");
  for (const control::AuditEntry& e : *entries) {
    std::printf("%-6lld %-20s %-16s %-14s %-20s %s\n", static_cast<long long>(e.seq), UtcTime(e.at_ms).c_str(),
                e.actor.c_str(), e.action.c_str(), e.subject.c_str(), e.details.c_str());
  }
  return 0;
}

namespace {

std::string Seconds(std::optional<double> s) {
  if (!s) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", *s);
  return buffer;
}

void PrintUsageTable(const std::vector<control::UsageTotals>& report) {
  std::printf("%-16s %8s %10s %10s %8s %10s %9s %12s %11s %8s %8s %8s %8s %s\n", "TENANT", "REQUESTS", "PROMPT",
              "COMPLETION", "CACHED", "kWh", "J/TOKEN", "COST", "COST/MTOK", "E2E_P50", "E2E_P99", "TTFT_P50",
              "TTFT_P99", "SOURCE");
  for (const control::UsageTotals& u : report) {
    std::printf("%-16s %8lld %10lld %10lld %8lld %10.6f %9.4f %12.6f %11.4f %8s %8s %8s %8s %s\n", u.tenant.c_str(),
                static_cast<long long>(u.requests), static_cast<long long>(u.prompt_tokens),
                static_cast<long long>(u.completion_tokens), static_cast<long long>(u.cached_tokens), u.kwh(),
                u.joules_per_token(), u.cost, u.cost_per_mtok(), Seconds(u.e2e_p50_s).c_str(),
                Seconds(u.e2e_p99_s).c_str(), Seconds(u.ttft_p50_s).c_str(), Seconds(u.ttft_p99_s).c_str(),
                u.energy_sources.c_str());
  }
}

void PrintUsageCsv(const std::vector<control::UsageTotals>& report) {
  std::printf("tenant,requests,prompt_tokens,completion_tokens,cached_tokens,joules,kwh,joules_per_token,cost,"
              "cost_per_mtok,e2e_p50_s,e2e_p99_s,ttft_p50_s,ttft_p99_s,energy_source\n");
  const auto optional = [](std::optional<double> x) { return x ? std::to_string(*x) : std::string(); };
  for (const control::UsageTotals& u : report) {
    std::printf("%s,%lld,%lld,%lld,%lld,%.6f,%.9f,%.6f,%.9f,%.6f,%s,%s,%s,%s,%s\n", u.tenant.c_str(),
                static_cast<long long>(u.requests), static_cast<long long>(u.prompt_tokens),
                static_cast<long long>(u.completion_tokens), static_cast<long long>(u.cached_tokens), u.joules,
                u.kwh(), u.joules_per_token(), u.cost, u.cost_per_mtok(), optional(u.e2e_p50_s).c_str(),
                optional(u.e2e_p99_s).c_str(), optional(u.ttft_p50_s).c_str(), optional(u.ttft_p99_s).c_str(),
                u.energy_sources.c_str());
  }
}

}  // namespace

int RunUsage(const AdminOptions& o) {
  if (o.json && o.csv) return ReportError(InvalidArgumentError("usage: --json and --csv exclude each other"));
  const int64_t now = UnixMillis();
  StatusOr<int64_t> since = control::ParseSince(o.since, now);
  if (!since.ok()) return ReportError(since.status());
  StatusOr<std::unique_ptr<Books>> books = OpenBooks(o);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<std::vector<control::UsageTotals>> report = control::QueryUsage(
      (*books)->database(), o.tenant.empty() ? std::nullopt : std::optional<std::string>(o.tenant), *since, now + 1);
  if (!report.ok()) return ReportError(report.status());
  if (o.json) {
    json::array array;
    for (const control::UsageTotals& u : *report) array.push_back(control::UsageJson(u));
    std::printf("%s\n", json::serialize(array).c_str());
  } else if (o.csv) {
    PrintUsageCsv(*report);
  } else {
    std::printf("usage since %s\n", UtcTime(*since).c_str());
    PrintUsageTable(*report);
  }
  return 0;
}

}  // namespace fab::cli
