#include "control/sqlite_connection.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace fab::control {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr int kTransactionAttempts = 5;

// "$12" → "?12"; the SQL is ours and holds no '$' in literals.
std::string ToSqlitePlaceholders(std::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  StatusOr<std::vector<SqlRow>> Query(std::string_view sql, const SqlParams& params) override {
    const std::string text = ToSqlitePlaceholders(sql);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, text.c_str(), static_cast<int>(text.size()), &statement, nullptr) != SQLITE_OK) {
      return Error(sqlite3_extended_errcode(db_), "prepare");
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(statement, sqlite3_finalize);
    for (size_t i = 0; i < params.size(); ++i) Bind(statement, static_cast<int>(i + 1), params[i]);
    std::vector<SqlRow> rows;
    while (true) {
      const int step = sqlite3_step(statement);
      if (step == SQLITE_DONE) break;
      if (step != SQLITE_ROW) return Error(sqlite3_extended_errcode(db_), "step");
      SqlRow row;
      const int n_columns = sqlite3_column_count(statement);
      for (int c = 0; c < n_columns; ++c) row.push_back(Column(statement, c));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status Transaction(const std::function<Status(SqlConnection&)>& body, bool exclusive, bool durable) override {
    if (durable != durable_) {
      FAB_RETURN_IF_ERROR(Execute(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
      durable_ = durable;
    }
    Status last;
    for (int attempt = 0; attempt < kTransactionAttempts; ++attempt) {
      last = Execute(exclusive ? "BEGIN IMMEDIATE" : "BEGIN");
      if (last.ok()) {
        last = body(*this);
        if (last.ok()) last = Execute("COMMIT");
        if (!last.ok()) (void)Execute("ROLLBACK");
      }
      if (last.code() != StatusCode::kUnavailable) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
    }
    return last;
  }

 private:
  static void Bind(sqlite3_stmt* statement, int index, const SqlValue& value) {
    if (const auto* i = std::get_if<int64_t>(&value)) {
      sqlite3_bind_int64(statement, index, *i);
    } else if (const auto* d = std::get_if<double>(&value)) {
      sqlite3_bind_double(statement, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      sqlite3_bind_text(statement, index, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(statement, index);
    }
  }

  static SqlValue Column(sqlite3_stmt* statement, int c) {
    switch (sqlite3_column_type(statement, c)) {
      case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_column_int64(statement, c));
      case SQLITE_FLOAT: return sqlite3_column_double(statement, c);
      case SQLITE_NULL: return std::monostate{};
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
        return std::string(text == nullptr ? "" : text, static_cast<size_t>(sqlite3_column_bytes(statement, c)));
      }
    }
  }

  Status Error(int code, const char* what) const {
    const std::string message = "SQLite " + path_ + ": " + sqlite3_errmsg(db_);
    switch (code & 0xff) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED: return UnavailableError(message + " (the database stayed locked)");
      case SQLITE_CONSTRAINT: return FailedPreconditionError(message);
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB: return DataLossError(message);
      case SQLITE_FULL:
      case SQLITE_IOERR:
      case SQLITE_CANTOPEN:
      case SQLITE_READONLY: return UnavailableError(message);
      default: return InternalError(message + " (" + what + ")");
    }
  }

  sqlite3* db_;
  std::string path_;
  bool durable_ = true;  // synchronous=FULL (set at open)
};

}  // namespace

StatusOr<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path) {
  if (path.empty()) return InvalidArgumentError("the SQLite database path is empty (sqlite://PATH)");
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!parent.empty() && !std::filesystem::exists(parent, error)) {
    std::filesystem::create_directories(parent, error);
    if (error) return UnavailableError("cannot create the directory " + parent.string() + ": " + error.message());
  }
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return UnavailableError("cannot open the SQLite database " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto connection = std::make_unique<SqliteConnection>(db, path);
  // journal_mode returns a row; a file that is not a database fails here.
  StatusOr<std::vector<SqlRow>> mode = connection->Query("PRAGMA journal_mode=WAL", {});
  if (!mode.ok()) return mode.status();
  if (mode->empty() || SqlText(mode->front().front()) != "wal") {
    return UnavailableError("the SQLite database " + path + " cannot use WAL mode");
  }
  FAB_RETURN_IF_ERROR(connection->Execute("PRAGMA synchronous=FULL"));
  FAB_RETURN_IF_ERROR(connection->Execute("PRAGMA foreign_keys=ON"));
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

}  // namespace fab::control
