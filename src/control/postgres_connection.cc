#include "control/postgres_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace fab::control {
namespace {

constexpr int kTransactionAttempts = 8;
// The advisory lock key of the books' exclusive transactions.
constexpr const char* kBooksLockSql = "SELECT pg_advisory_xact_lock(7215183142)";

// Column type OIDs (catalog/pg_type_d.h, stable across versions).
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kFloat4Oid = 700, kFloat8Oid = 701,
              kNumericOid = 1700;

std::string ParamText(const SqlValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", *d);
    return buffer;
  }
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return "";
}

SqlValue Cell(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return std::monostate{};
  const char* text = PQgetvalue(result, row, column);
  const int length = PQgetlength(result, row, column);
  switch (PQftype(result, column)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: {
      int64_t value = 0;
      std::from_chars(text, text + length, value);
      return value;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: return std::strtod(text, nullptr);
    case kBoolOid: return int64_t{text[0] == 't'};
    default: return std::string(text, static_cast<size_t>(length));
  }
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* connection) : connection_(connection) {}
  ~PostgresConnection() override { PQfinish(connection_); }

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }

  StatusOr<std::vector<SqlRow>> Query(std::string_view sql, const SqlParams& params) override {
    if (PQstatus(connection_) != CONNECTION_OK && !in_transaction_) PQreset(connection_);
    std::vector<std::string> texts;
    texts.reserve(params.size());
    std::vector<const char*> values;
    for (const SqlValue& param : params) {
      texts.push_back(ParamText(param));
      values.push_back(SqlIsNull(param) ? nullptr : texts.back().c_str());
    }
    const std::string text(sql);
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(
        PQexecParams(connection_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                     nullptr, 0),
        PQclear);
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(result.get());
    std::vector<SqlRow> rows;
    const int n_rows = PQntuples(result.get());
    const int n_columns = PQnfields(result.get());
    rows.reserve(static_cast<size_t>(n_rows));
    for (int r = 0; r < n_rows; ++r) {
      SqlRow row;
      row.reserve(static_cast<size_t>(n_columns));
      for (int c = 0; c < n_columns; ++c) row.push_back(Cell(result.get(), r, c));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status Transaction(const std::function<Status(SqlConnection&)>& body, bool exclusive, bool durable) override {
    Status last;
    for (int attempt = 0; attempt < kTransactionAttempts; ++attempt) {
      last = Execute("BEGIN");
      if (last.ok()) {
        in_transaction_ = true;
        if (!durable) last = Execute("SET LOCAL synchronous_commit TO off");
        if (last.ok() && exclusive) last = Execute(kBooksLockSql);
        if (last.ok()) last = body(*this);
        if (last.ok()) last = Execute("COMMIT");
        if (!last.ok()) (void)Execute("ROLLBACK");
        in_transaction_ = false;
      }
      if (last.code() != StatusCode::kUnavailable) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 << std::min(attempt, 5)));
    }
    return last;
  }

 private:
  Status Error(const PGresult* result) {
    const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = "PostgreSQL: ";
    message += result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(connection_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const std::string state = sqlstate != nullptr ? sqlstate : "";
    if (PQstatus(connection_) != CONNECTION_OK || state.rfind("08", 0) == 0) return UnavailableError(message);
    if (state == "40001" || state == "40P01" || state == "55P03") return UnavailableError(message);
    if (state.rfind("23", 0) == 0) return FailedPreconditionError(message);
    if (state.rfind("53", 0) == 0 || state.rfind("57", 0) == 0) return UnavailableError(message);
    return InternalError(message);
  }

  PGconn* connection_;
  bool in_transaction_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url) {
  PGconn* connection = PQconnectdb(url.c_str());
  if (connection == nullptr) return InternalError("libpq: out of memory");
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(connection);
    return UnavailableError("cannot connect to PostgreSQL " + RedactedDatabaseUrl(url) + ": " + message);
  }
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(connection, [](void*, const char*) {}, nullptr);
  auto owned = std::make_unique<PostgresConnection>(connection);
  FAB_RETURN_IF_ERROR(owned->Execute("SET client_min_messages TO warning"));
  return std::unique_ptr<SqlConnection>(std::move(owned));
}

}  // namespace fab::control
