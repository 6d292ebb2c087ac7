#include "cli/admin_commands.h"

#include <pwd.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include "cli/model_loader.h"
#include "control/api_key.h"
#include "control/audit_log.h"
#include "control/books.h"

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

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-12-07T12:47:04Z", or "-" for none.
std::string TimeText(std::optional<int64_t> ms) {
  if (!ms) return "-";
  const std::time_t seconds = static_cast<std::time_t>(*ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

json::object TenantJson(const Tenant& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"policy", json::parse(control::PolicyToJson(t.policy))},
          {"created_at", TimeText(t.created_at_ms)}};
}

json::object KeyJson(const ApiKeyRecord& k) {
  json::object out{{"id", k.id},
                   {"tenant", k.tenant_name},
                   {"hint", k.hint},
                   {"admin", k.admin},
                   {"policy", json::parse(control::PolicyToJson(k.policy))},
                   {"created_at", TimeText(k.created_at_ms)}};
  out["expires_at"] = k.expires_at_ms ? json::value(TimeText(k.expires_at_ms)) : json::value(nullptr);
  out["revoked_at"] = k.revoked_at_ms ? json::value(TimeText(k.revoked_at_ms)) : json::value(nullptr);
  return out;
}

void PrintTenants(const std::vector<Tenant>& tenants, bool as_json) {
  if (as_json) {
    json::array array;
    for (const Tenant& t : tenants) array.push_back(TenantJson(t));
    std::printf("%s\n", json::serialize(array).c_str());
    return;
  }
  std::printf("%-24s %-20s %-20s %s\n", "NAME", "ID", "CREATED", "POLICY");
  for (const Tenant& t : tenants) {
    std::printf("%-24s %-20s %-20s %s\n", t.name.c_str(), t.id.c_str(), TimeText(t.created_at_ms).c_str(),
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
                k.admin ? "yes" : "no", TimeText(k.created_at_ms).c_str(), TimeText(k.expires_at_ms).c_str(),
                TimeText(k.revoked_at_ms).c_str(), control::PolicyToJson(k.policy).c_str());
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
    expires_at_ms = NowMs() + *seconds * 1000;
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
               expires_at_ms ? (", expires " + TimeText(expires_at_ms)).c_str() : "");
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
    json::object out{{"intact", verdict->intact}, {"entries", verdict->n_entries}};
    if (!verdict->intact) {
      out["first_bad_seq"] = verdict->first_bad_seq;
      out["problem"] = verdict->problem;
    }
    std::printf("%s\n", json::serialize(out).c_str());
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
    for (const control::AuditEntry& e : *entries) {
      array.push_back(json::object{{"seq", e.seq},
                                   {"at", TimeText(e.at_ms)},
                                   {"actor", e.actor},
                                   {"action", e.action},
                                   {"subject", e.subject},
                                   {"details", e.details}});
    }
    std::printf("%s\n", json::serialize(array).c_str());
    return 0;
  }
  std::printf("%-6s %-20s %-16s %-14s %-20s %s\n", "SEQ", "AT", "ACTOR", "ACTION", "SUBJECT", "DETAILS");
  for (const control::AuditEntry& e : *entries) {
    std::printf("%-6lld %-20s %-16s %-14s %-20s %s\n", static_cast<long long>(e.seq), TimeText(e.at_ms).c_str(),
                e.actor.c_str(), e.action.c_str(), e.subject.c_str(), e.details.c_str());
  }
  return 0;
}

}  // namespace fab::cli
