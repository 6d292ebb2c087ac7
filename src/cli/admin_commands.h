// The operator's commands over the books (control/books.h): `tokenfab
// tenants create|list|set`, `keys create|list|revoke|set`, `audit
// verify|list` and `usage`. Each opens the database at --db with the --secret-file
// that `tokenfab serve --db` uses, acts in one transaction that is also
// audited (actor "cli:USER"), prints a table (or JSON with --json) and
// returns 0, or 1 with "tokenfab: <error>" on stderr.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fab::cli {

struct AdminOptions {
  std::string db_url;       // empty: control::DefaultDatabaseUrl()
  std::string secret_file;  // empty: control::DefaultSecretPath()
  std::string tenant;       // tenants create/set: the name; keys create/list: --tenant
  std::string key_id;       // keys revoke/set
  std::string expires_in;   // keys create: "30d"; empty: never
  bool admin = false;       // keys create --admin
  bool json = false;
  int64_t limit = 50;       // audit list
  std::string since = "30d";  // usage: a duration back from now or a UTC date
  bool csv = false;           // usage
  // Policy flags in the order given: (policy field, text); see
  // control::PolicyChangeFromFlags.
  std::vector<std::pair<std::string, std::string>> policy;
};

int RunTenantsCreate(const AdminOptions& options);
int RunTenantsList(const AdminOptions& options);
int RunTenantsSet(const AdminOptions& options);
// Prints the new key alone on stdout's first line; what it is on stderr.
// With --admin and no --tenant, the key belongs to the tenant "admin",
// created if missing.
int RunKeysCreate(const AdminOptions& options);
int RunKeysList(const AdminOptions& options);
int RunKeysRevoke(const AdminOptions& options);
int RunKeysSet(const AdminOptions& options);
// Exit 0 when the chain is intact, 1 (and where it breaks) otherwise.
int RunAuditVerify(const AdminOptions& options);
int RunAuditList(const AdminOptions& options);
// Totals per tenant (or of --tenant) since --since: a table, --json or
// --csv (control/usage_report.h).
int RunUsage(const AdminOptions& options);

}  // namespace fab::cli
