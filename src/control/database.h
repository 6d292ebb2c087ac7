// Database: one SqlConnection shared by threads, one call at a time (a
// mutex). The server opens one for authentication and admin work and the
// ledger writer opens its own, so a slow fsync never blocks a key check.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "control/sql_connection.h"

namespace fab::control {

class Database {
 public:
  explicit Database(std::unique_ptr<SqlConnection> connection) : connection_(std::move(connection)) {}

  SqlDialect dialect() const { return connection_->dialect(); }

  StatusOr<std::vector<SqlRow>> Query(std::string_view sql, const SqlParams& params = {}) {
    std::lock_guard<std::mutex> lock(mutex_);
    return connection_->Query(sql, params);
  }

  // SqlConnection::Transaction under the lock.
  Status Transaction(const std::function<Status(SqlConnection&)>& body, bool exclusive = true,
                     bool durable = true) {
    std::lock_guard<std::mutex> lock(mutex_);
    return connection_->Transaction(body, exclusive, durable);
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<SqlConnection> connection_;  // guarded by mutex_
};

}  // namespace fab::control
