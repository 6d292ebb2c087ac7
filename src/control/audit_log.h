// The audit log: every admin action (a tenant or key created, a key
// revoked, a policy changed) appended with its actor and time, chained so
// that tampering shows. Row n holds hash_n = HMAC-SHA256(secret,
// hash_{n-1} ‖ fields of row n), each field length-prefixed, hash_0 = 64
// zeros; seq runs 1, 2, 3 … without gaps. Keying the chain with the server
// secret means a writer of the database who lacks the secret cannot
// rewrite a row and re-seal the chain. A truncation of the newest rows
// leaves a valid shorter chain: compare the count with an earlier
// `tokenfab audit verify` to see one. Entries never hold a secret or prompt
// text (callers pass ids, names and policies only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/database.h"
#include "control/server_secret.h"

namespace fab::control {

struct AuditEntry {
  int64_t seq = 0;
  int64_t at_ms = 0;     // Unix milliseconds
  std::string actor;     // "cli:USER" or "key:KEY_ID"
  std::string action;    // "tenant.create", "key.revoke", …
  std::string subject;   // the tenant name or key id acted on
  std::string details;   // JSON, e.g. the new policy
};

// Appends `entry` (seq and at_ms are assigned) inside the caller's
// exclusive transaction on `connection`.
Status AppendAudit(SqlConnection& connection, const ServerSecret& secret, AuditEntry entry);

struct AuditVerdict {
  int64_t n_entries = 0;
  bool intact = true;
  int64_t first_bad_seq = 0;  // when !intact
  std::string problem;        // when !intact, e.g. "hash mismatch"
};

// Re-computes the whole chain.
StatusOr<AuditVerdict> VerifyAudit(Database& database, const ServerSecret& secret);

// The newest `limit` entries, oldest first.
StatusOr<std::vector<AuditEntry>> ListAudit(Database& database, int64_t limit);

}  // namespace fab::control
