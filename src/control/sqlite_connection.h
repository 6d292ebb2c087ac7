// SqlConnection over SQLite 3 (the embedded default): one sqlite3 handle,
// WAL journal, synchronous=FULL (a committed transaction survives power
// loss), foreign keys on, a busy timeout for writers of other processes.
// $N placeholders become SQLite's ?N.
#pragma once

#include <memory>
#include <string>

#include "control/sql_connection.h"

namespace fab::control {

// Opens or creates the database file at `path` (and its directory).
StatusOr<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path);

}  // namespace fab::control
