#include "control/audit_log.h"

#include <chrono>

#include "base/clock.h"
#include "control/crypto.h"

namespace fab::control {
namespace {

const std::string kGenesisHash(64, '0');

void AppendField(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

std::string ChainHash(const ServerSecret& secret, const std::string& prev_hash, const AuditEntry& e) {
  std::string message;
  AppendField(message, prev_hash);
  AppendField(message, std::to_string(e.seq));
  AppendField(message, std::to_string(e.at_ms));
  AppendField(message, e.actor);
  AppendField(message, e.action);
  AppendField(message, e.subject);
  AppendField(message, e.details);
  return HexEncode(HmacSha256(secret.key, message));
}

AuditEntry EntryFromRow(const SqlRow& row) {
  AuditEntry e;
  e.seq = SqlInt(row[0]);
  e.at_ms = SqlInt(row[1]);
  e.actor = SqlText(row[2]);
  e.action = SqlText(row[3]);
  e.subject = SqlText(row[4]);
  e.details = SqlText(row[5]);
  return e;
}

constexpr const char* kSelectColumns = "SELECT seq, at_ms, actor, action, subject, details, prev_hash, hash FROM audit_log";

}  // namespace

Status AppendAudit(SqlConnection& connection, const ServerSecret& secret, AuditEntry entry) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> last,
                       connection.Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  const std::string prev_hash = last.empty() ? kGenesisHash : SqlText(last.front()[1]);
  entry.seq = last.empty() ? 1 : SqlInt(last.front()[0]) + 1;
  entry.at_ms = UnixMillis();
  const std::string hash = ChainHash(secret, prev_hash, entry);
  return connection.Execute(
      "INSERT INTO audit_log (seq, at_ms, actor, action, subject, details, prev_hash, hash) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {entry.seq, entry.at_ms, entry.actor, entry.action, entry.subject, entry.details, prev_hash, hash});
}

StatusOr<AuditVerdict> VerifyAudit(Database& database, const ServerSecret& secret) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows, database.Query(std::string(kSelectColumns) + " ORDER BY seq"));
  AuditVerdict verdict;
  std::string prev_hash = kGenesisHash;
  for (const SqlRow& row : rows) {
    const AuditEntry entry = EntryFromRow(row);
    ++verdict.n_entries;
    const auto fail = [&](std::string problem) {
      verdict.intact = false;
      verdict.first_bad_seq = entry.seq;
      verdict.problem = std::move(problem);
    };
    if (entry.seq != verdict.n_entries) {
      fail("entry " + std::to_string(verdict.n_entries) + " is missing (found seq " + std::to_string(entry.seq) + ")");
    } else if (SqlText(row[6]) != prev_hash) {
      fail("its prev_hash does not match the entry before it");
    } else if (!ConstantTimeEquals(SqlText(row[7]), ChainHash(secret, prev_hash, entry))) {
      fail("its hash does not match its contents (edited, or sealed under another secret)");
    }
    if (!verdict.intact) break;
    prev_hash = SqlText(row[7]);
  }
  return verdict;
}

StatusOr<std::vector<AuditEntry>> ListAudit(Database& database, int64_t limit) {
  FAB_ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                       database.Query(std::string(kSelectColumns) + " ORDER BY seq DESC LIMIT $1", {limit}));
  std::vector<AuditEntry> entries;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) entries.push_back(EntryFromRow(*it));
  return entries;
}

}  // namespace fab::control
