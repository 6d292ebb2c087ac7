// One connection to the control plane's database, SQLite or PostgreSQL,
// behind one small interface so that the books are written once. SQL text
// uses PostgreSQL's $1, $2, … placeholders in both dialects, and only the
// SQL both understand (ON CONFLICT, RETURNING, BIGINT, TEXT, DOUBLE
// PRECISION). Values travel as SqlValue: NULL, 64-bit integer, double or
// text. Not thread-safe: one thread at a time (control/database.h locks).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace fab::control {

using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;
using SqlParams = std::vector<SqlValue>;

enum class SqlDialect { kSqlite, kPostgres };

// Typed reads of a result cell; a NULL or a value of another type gives
// the fallback (integers widen to double; a double reads as the nearest
// integer, since PostgreSQL sums integers as NUMERIC).
int64_t SqlInt(const SqlValue& value, int64_t fallback = 0);
double SqlDouble(const SqlValue& value, double fallback = 0.0);
std::string SqlText(const SqlValue& value, std::string fallback = "");
bool SqlIsNull(const SqlValue& value);

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  virtual SqlDialect dialect() const = 0;

  // Runs one statement; returns the rows of a SELECT or a RETURNING clause
  // (empty otherwise). A constraint violation is AlreadyExists-like
  // FailedPrecondition; a lost connection or a busy database that stays
  // busy past the timeout is Unavailable; malformed SQL is Internal.
  virtual StatusOr<std::vector<SqlRow>> Query(std::string_view sql, const SqlParams& params = {}) = 0;
  Status Execute(std::string_view sql, const SqlParams& params = {}) { return Query(sql, params).status(); }

  // Runs `body` in one transaction that holds the database's write lock
  // from its start (SQLite BEGIN IMMEDIATE; PostgreSQL takes the books'
  // advisory lock when `exclusive`): commits when it returns OK and rolls
  // back otherwise. A transient conflict (SQLITE_BUSY past the timeout, a
  // PostgreSQL serialization failure or deadlock) reruns `body` from the
  // start, a few times, so `body` must only act through this connection.
  // A transaction that is not `durable` may be lost in a power failure
  // (never torn): SQLite commits it without an fsync (synchronous=NORMAL
  // in WAL mode), PostgreSQL with synchronous_commit off. Quota
  // reservations use that; the ledger never does.
  virtual Status Transaction(const std::function<Status(SqlConnection&)>& body, bool exclusive = true,
                             bool durable = true) = 0;
};

// Opens `url`: "sqlite://PATH" (PATH as written, relative to the working
// directory unless it starts with '/'; the file and its directory are
// created) or "postgres://…" / "postgresql://…" (a libpq connection URI).
// SQLite runs in WAL mode with synchronous=FULL and a 5 s busy timeout.
StatusOr<std::unique_ptr<SqlConnection>> OpenSqlConnection(const std::string& url);

// The URL with any password replaced by "***", for messages and logs.
std::string RedactedDatabaseUrl(const std::string& url);

}  // namespace fab::control
