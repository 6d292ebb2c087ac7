// The books' schema and its versioned migrations. A database records its
// schema version (books_meta.schema_version); opening applies the missing
// migrations in one exclusive transaction (servers starting at once
// serialize on it) and refuses a database whose version is newer than this
// binary's. It also binds the database to its server secret: the first
// opener stores a check value (an HMAC of a fixed text), later openers with
// another --secret-file are refused, since their key digests would never
// match.
#pragma once

#include <cstdint>

#include "control/database.h"
#include "control/server_secret.h"

namespace fab::control {

// The version this binary writes and reads.
inline constexpr int64_t kSchemaVersion = 3;

// Brings the schema up to kSchemaVersion. FailedPrecondition when the
// database's version is newer; errors of the database as they come.
Status MigrateSchema(Database& database);

// The version recorded in the database (0 for an empty one).
StatusOr<int64_t> SchemaVersion(Database& database);

// Records or checks the secret's check value (see above).
Status BindServerSecret(Database& database, const ServerSecret& secret);

}  // namespace fab::control
