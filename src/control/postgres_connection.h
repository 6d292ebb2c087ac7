// SqlConnection over PostgreSQL through libpq: what lets several servers
// share one ledger and one set of quotas. Parameters travel as text;
// results are typed from their column OIDs (int2/4/8 → integer, float4/8
// and numeric → double, NULL, the rest text). Exclusive transactions take
// one transaction-scoped advisory lock, so the books' writers serialize
// across servers the way SQLite's BEGIN IMMEDIATE serializes them.
#pragma once

#include <memory>
#include <string>

#include "control/sql_connection.h"

namespace fab::control {

// `url` is a libpq connection URI ("postgres://user@host:port/db?…").
// Unavailable when the server cannot be reached.
StatusOr<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url);

}  // namespace fab::control
