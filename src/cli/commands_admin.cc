#include "cli/commands_admin.h"

#include <CLI/CLI.hpp>

namespace fab::cli {
namespace {

// Each policy flag appends (field, text) in the order given.
void AddPolicyFlags(CLI::App* cmd, AdminOptions& o) {
  const struct {
    const char* flag;
    const char* field;
    const char* help;
  } kFlags[] = {
      {"--requests-per-minute", "requests_per_minute", "Requests per sliding minute"},
      {"--tokens-per-minute", "tokens_per_minute", "Prompt + completion tokens per sliding minute"},
      {"--max-concurrent", "max_concurrent", "Requests in flight at once"},
      {"--budget-tokens", "budget_tokens", "Tokens per budget period"},
      {"--budget-kwh", "budget_kwh", "kWh per budget period"},
      {"--budget-money", "budget_money", "Money per budget period (the cost model's currency)"},
      {"--budget-period", "budget_period", "Budget period: day or month (default month)"},
      {"--models", "models", "Allowed model names, comma-separated (default: all)"},
      {"--tier", "tier", "Priority tier: premium, standard or batch"},
  };
  for (const auto& f : kFlags) {
    const std::string field = f.field;
    cmd->add_option_function<std::string>(
           f.flag, [&o, field](const std::string& text) { o.policy.emplace_back(field, text); },
           std::string(f.help) + "; 'unset' removes the setting")
        ->group("Policy");
  }
}

void AddTenants(CLI::App& app, AdminOptions& o, int& code) {
  CLI::App* tenants = app.add_subcommand("tenants", "Create, list and set the policy of tenants");
  tenants->require_subcommand(1);
  CLI::App* create = tenants->add_subcommand("create", "Create a tenant (policy flags optional)");
  create->add_option("name", o.tenant, "Tenant name")->required();
  AddPolicyFlags(create, o);
  create->callback([&] { code = RunTenantsCreate(o); });
  CLI::App* list = tenants->add_subcommand("list", "List tenants and their policies");
  list->callback([&] { code = RunTenantsList(o); });
  CLI::App* set = tenants->add_subcommand("set", "Change a tenant's policy");
  set->add_option("name", o.tenant, "Tenant name")->required();
  AddPolicyFlags(set, o);
  set->callback([&] { code = RunTenantsSet(o); });
  for (CLI::App* cmd : {create, list, set}) {
    AddBooksFlags(cmd, o.db_url, o.secret_file);
    cmd->add_flag("--json", o.json, "Print JSON");
  }
}

void AddKeys(CLI::App& app, AdminOptions& o, int& code) {
  CLI::App* keys = app.add_subcommand("keys", "Create, list, revoke and set the policy of API keys");
  keys->require_subcommand(1);
  CLI::App* create = keys->add_subcommand("create", "Create a key; prints it alone on a line, once");
  create->add_option("--tenant", o.tenant, "Tenant that owns the key (with --admin: default 'admin')");
  create->add_option("--expires-in", o.expires_in, "Lifetime: 90s, 15m, 12h, 30d, 2w (default: never expires)");
  create->add_flag("--admin", o.admin, "An admin key: may use /admin/v1/...");
  create->callback([&] { code = RunKeysCreate(o); });
  CLI::App* list = keys->add_subcommand("list", "List keys (ids and hints, never the secrets)");
  list->add_option("--tenant", o.tenant, "Only this tenant's keys");
  list->callback([&] { code = RunKeysList(o); });
  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key: its next request gets 401");
  revoke->add_option("id", o.key_id, "Key id (key_...)")->required();
  revoke->callback([&] { code = RunKeysRevoke(o); });
  CLI::App* set = keys->add_subcommand("set", "Override the tenant's policy for one key");
  set->add_option("id", o.key_id, "Key id (key_...)")->required();
  AddPolicyFlags(set, o);
  set->callback([&] { code = RunKeysSet(o); });
  for (CLI::App* cmd : {create, list, revoke, set}) AddBooksFlags(cmd, o.db_url, o.secret_file);
  for (CLI::App* cmd : {list, revoke, set}) cmd->add_flag("--json", o.json, "Print JSON");
}

void AddUsage(CLI::App& app, AdminOptions& o, int& code) {
  CLI::App* usage = app.add_subcommand("usage", "Tokens, energy, cost and latency per tenant, from the ledger");
  usage->add_option("--tenant", o.tenant, "Only this tenant");
  usage->add_option("--since", o.since, "From: a duration back (24h, 7d) or a UTC date (2026-12-01); default 30d");
  usage->add_flag("--json", o.json, "Print JSON (token counts under OpenAI's usage names)");
  usage->add_flag("--csv", o.csv, "Print CSV");
  AddBooksFlags(usage, o.db_url, o.secret_file);
  usage->callback([&] { code = RunUsage(o); });
}

void AddAudit(CLI::App& app, AdminOptions& o, int& code) {
  CLI::App* audit = app.add_subcommand("audit", "Check and read the audit log of admin actions");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand("verify", "Re-compute the hash chain; exit 1 where it breaks");
  verify->callback([&] { code = RunAuditVerify(o); });
  CLI::App* list = audit->add_subcommand("list", "Print the newest entries");
  list->add_option("--limit", o.limit, "Entries to print")->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  list->callback([&] { code = RunAuditList(o); });
  for (CLI::App* cmd : {verify, list}) {
    AddBooksFlags(cmd, o.db_url, o.secret_file);
    cmd->add_flag("--json", o.json, "Print JSON");
  }
}

}  // namespace

void AddBooksFlags(CLI::App* cmd, std::string& db_url, std::string& secret_file) {
  cmd->add_option("--db", db_url,
                  "Database: sqlite://PATH or postgres://USER@HOST:PORT/DB "
                  "(default: sqlite://~/.local/share/tokenfab/tokenfab.db)");
  cmd->add_option("--secret-file", secret_file,
                  "Server secret that seals API keys and the audit log; created 0600 on first use "
                  "(default: ~/.local/share/tokenfab/secret)");
}

void AddAdminCommands(CLI::App& app, AdminOptions& o, int& code) {
  AddTenants(app, o, code);
  AddKeys(app, o, code);
  AddAudit(app, o, code);
  AddUsage(app, o, code);
}

}  // namespace fab::cli
