#include "control/schema.h"

#include <string_view>
#include <vector>

#include "control/crypto.h"

namespace fab::control {
namespace {

// migrations[v - 1] brings version v - 1 to v. Append only; never edit a
// released one. Times are Unix milliseconds; SQL is portable between
// SQLite and PostgreSQL.
const std::vector<std::vector<std::string_view>>& Migrations() {
  static const std::vector<std::vector<std::string_view>> migrations = {
      {
          "CREATE TABLE tenants ("
          " id TEXT PRIMARY KEY,"
          " name TEXT NOT NULL UNIQUE,"
          " policy TEXT NOT NULL DEFAULT '{}',"
          " created_at_ms BIGINT NOT NULL)",
          "CREATE TABLE api_keys ("
          " id TEXT PRIMARY KEY,"
          " tenant_id TEXT NOT NULL REFERENCES tenants(id),"
          " digest TEXT NOT NULL UNIQUE,"
          " hint TEXT NOT NULL,"
          " is_admin BIGINT NOT NULL DEFAULT 0,"
          " policy TEXT NOT NULL DEFAULT '{}',"
          " created_at_ms BIGINT NOT NULL,"
          " expires_at_ms BIGINT,"
          " revoked_at_ms BIGINT)",
          "CREATE INDEX api_keys_tenant ON api_keys(tenant_id)",
          "CREATE TABLE audit_log ("
          " seq BIGINT PRIMARY KEY,"
          " at_ms BIGINT NOT NULL,"
          " actor TEXT NOT NULL,"
          " action TEXT NOT NULL,"
          " subject TEXT NOT NULL,"
          " details TEXT NOT NULL,"
          " prev_hash TEXT NOT NULL,"
          " hash TEXT NOT NULL)",
      },
      {
          // One row per request, written once (idempotent on request_id).
          "CREATE TABLE ledger ("
          " request_id TEXT PRIMARY KEY,"
          " tenant_id TEXT NOT NULL,"
          " tenant TEXT NOT NULL,"
          " key_id TEXT NOT NULL,"
          " model TEXT NOT NULL,"
          " tier TEXT NOT NULL,"
          " arrival_ms BIGINT NOT NULL,"
          " queue_s DOUBLE PRECISION NOT NULL,"
          " ttft_s DOUBLE PRECISION,"
          " e2e_s DOUBLE PRECISION NOT NULL,"
          " prompt_tokens BIGINT NOT NULL,"
          " cached_tokens BIGINT NOT NULL,"
          " completion_tokens BIGINT NOT NULL,"
          " finish_reason TEXT NOT NULL,"
          " joules DOUBLE PRECISION NOT NULL,"
          " energy_source TEXT NOT NULL,"
          " cost DOUBLE PRECISION NOT NULL)",
          "CREATE INDEX ledger_tenant_arrival ON ledger(tenant_id, arrival_ms)",
          // Committed usage per scope ("tenant:ID", "key:ID") and period
          // ("day:2026-12-07", "month:2026-12"), of the requests that
          // arrived in it: always the sums of the ledger's rows.
          "CREATE TABLE quota_usage ("
          " scope TEXT NOT NULL,"
          " period TEXT NOT NULL,"
          " tokens BIGINT NOT NULL,"
          " joules DOUBLE PRECISION NOT NULL,"
          " money DOUBLE PRECISION NOT NULL,"
          " PRIMARY KEY (scope, period))",
          // Requests admitted and not yet settled: what they may still cost.
          "CREATE TABLE reservations ("
          " request_id TEXT PRIMARY KEY,"
          " tenant_scope TEXT NOT NULL,"
          " key_scope TEXT NOT NULL,"
          " tokens BIGINT NOT NULL,"
          " joules DOUBLE PRECISION NOT NULL,"
          " money DOUBLE PRECISION NOT NULL,"
          " node TEXT NOT NULL,"
          " expires_ms BIGINT NOT NULL)",
          "CREATE INDEX reservations_tenant ON reservations(tenant_scope)",
          "CREATE INDEX reservations_key ON reservations(key_scope)",
          // Admissions of the last minutes, for sliding-window rate limits.
          "CREATE TABLE rate_events ("
          " request_id TEXT PRIMARY KEY,"
          " tenant_scope TEXT NOT NULL,"
          " key_scope TEXT NOT NULL,"
          " at_ms BIGINT NOT NULL,"
          " tokens BIGINT NOT NULL)",
          "CREATE INDEX rate_events_tenant ON rate_events(tenant_scope, at_ms)",
          "CREATE INDEX rate_events_key ON rate_events(key_scope, at_ms)",
      },
      {
          // The arena's votes: one per battle; the prompt's hash, its text
          // only when the operator opted in; the visitor as a keyed hash.
          "CREATE TABLE arena_votes ("
          " battle_id TEXT PRIMARY KEY,"
          " model_a TEXT NOT NULL,"
          " model_b TEXT NOT NULL,"
          " winner TEXT NOT NULL,"
          " prompt_sha256 TEXT NOT NULL,"
          " prompt TEXT,"
          " visitor TEXT NOT NULL,"
          " at_ms BIGINT NOT NULL)",
          "CREATE INDEX arena_votes_at ON arena_votes(at_ms)",
          "CREATE INDEX arena_votes_visitor ON arena_votes(visitor, at_ms)",
      },
  };
  return migrations;
}

constexpr std::string_view kSecretCheckText = "tokenfab server secret check v1";

StatusOr<int64_t> ReadVersion(SqlConnection& connection) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       connection.Query("SELECT value FROM books_meta WHERE name = 'schema_version'"));
  if (rows.empty()) return int64_t{0};
  const std::string text = SqlText(rows.front().front());
  return static_cast<int64_t>(std::strtoll(text.c_str(), nullptr, 10));
}

Status CreateMetaTable(SqlConnection& connection) {
  return connection.Execute("CREATE TABLE IF NOT EXISTS books_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
}

}  // namespace

Status MigrateSchema(Database& database) {
  static_assert(kSchemaVersion >= 1);
  FAB_CHECK(Migrations().size() == static_cast<size_t>(kSchemaVersion)) << "one migration per schema version";
  return database.Transaction([](SqlConnection& connection) -> Status {
    FAB_RETURN_IF_ERROR(CreateMetaTable(connection));
    FAB_ASSIGN_OR_RETURN(const int64_t version, ReadVersion(connection));
    if (version > kSchemaVersion) {
      return FailedPreconditionError("the database has schema version " + std::to_string(version) +
                                     ", newer than this tokenfab's " + std::to_string(kSchemaVersion) +
                                     "; run a newer tokenfab against it");
    }
    for (int64_t next = version + 1; next <= kSchemaVersion; ++next) {
      for (const std::string_view statement : Migrations()[static_cast<size_t>(next - 1)]) {
        FAB_RETURN_IF_ERROR(connection.Execute(statement).WithContext("schema migration to version " +
                                                                      std::to_string(next)));
      }
    }
    if (version == kSchemaVersion) return OkStatus();
    return connection.Execute(
        "INSERT INTO books_meta (name, value) VALUES ('schema_version', $1) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        {std::to_string(kSchemaVersion)});
  });
}

StatusOr<int64_t> SchemaVersion(Database& database) {
  int64_t version = 0;
  FAB_RETURN_IF_ERROR(database.Transaction(
      [&version](SqlConnection& connection) -> Status {
        FAB_RETURN_IF_ERROR(CreateMetaTable(connection));
        FAB_ASSIGN_OR_RETURN(version, ReadVersion(connection));
        return OkStatus();
      },
      /*exclusive=*/false));
  return version;
}

Status BindServerSecret(Database& database, const ServerSecret& secret) {
  const std::string check = HexEncode(HmacSha256(secret.key, kSecretCheckText));
  return database.Transaction([&](SqlConnection& connection) -> Status {
    FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                         connection.Query("SELECT value FROM books_meta WHERE name = 'secret_check'"));
    if (rows.empty()) {
      return connection.Execute("INSERT INTO books_meta (name, value) VALUES ('secret_check', $1)", {check});
    }
    if (ConstantTimeEquals(SqlText(rows.front().front()), check)) return OkStatus();
    return FailedPreconditionError("the secret file " + secret.path +
                                   " is not the one this database's keys were made with: servers and commands "
                                   "that share a database must use the same --secret-file");
  });
}

}  // namespace fab::control
