#include "control/sql_connection.h"

#include <cmath>

#include "control/postgres_connection.h"
#include "control/sqlite_connection.h"

namespace fab::control {

int64_t SqlInt(const SqlValue& value, int64_t fallback) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  // PostgreSQL's SUM over BIGINT is NUMERIC, read as a double.
  if (const auto* d = std::get_if<double>(&value)) return static_cast<int64_t>(std::llround(*d));
  return fallback;
}

double SqlDouble(const SqlValue& value, double fallback) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  return fallback;
}

std::string SqlText(const SqlValue& value, std::string fallback) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return fallback;
}

bool SqlIsNull(const SqlValue& value) { return std::holds_alternative<std::monostate>(value); }

StatusOr<std::unique_ptr<SqlConnection>> OpenSqlConnection(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.rfind(kSqlite, 0) == 0) return OpenSqliteConnection(url.substr(kSqlite.size()));
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) return OpenPostgresConnection(url);
  return InvalidArgumentError("--db '" + RedactedDatabaseUrl(url) +
                              "' is not a database URL; use sqlite://PATH or postgres://USER@HOST:PORT/DB");
}

std::string RedactedDatabaseUrl(const std::string& url) {
  // scheme://user:password@host → scheme://user:***@host
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url.substr(0, 200);
  const size_t at = url.find('@', scheme_end + 3);
  const size_t colon = url.find(':', scheme_end + 3);
  std::string redacted = url;
  if (at != std::string::npos && colon != std::string::npos && colon < at) {
    redacted = url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  const size_t password = redacted.find("password=");
  if (password != std::string::npos) {
    const size_t end = redacted.find('&', password);
    redacted = redacted.substr(0, password + 9) + "***" + (end == std::string::npos ? "" : redacted.substr(end));
  }
  return redacted.substr(0, 200);
}

}  // namespace fab::control
