// Arena votes in the books (the ledger's database, SQLite or PostgreSQL):
// one row per battle, written once. A vote keeps the prompt's SHA-256 and
// never its text unless the operator opted in, and the visitor as a keyed
// hash, never an address. What `tokenfab arena export` writes as the JSON
// lines `tokenfab leaderboard --votes` reads. Thread-safe (Database locks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "control/database.h"

namespace fab::control {

struct ArenaVote {
  std::string battle_id;               // one vote per battle
  std::string model_a;
  std::string model_b;
  std::string winner;                  // "model_a" | "model_b" | "tie" | "tie (bothbad)"
  std::string prompt_sha256;           // hex
  std::optional<std::string> prompt;   // only when the operator opted in
  std::string visitor;                 // a keyed hash of the visitor
  int64_t at_ms = 0;                   // Unix milliseconds
};

// InvalidArgument for an unknown winner or a model against itself;
// FailedPrecondition when the battle already has its vote.
Status RecordArenaVote(Database& database, const ArenaVote& vote);

// The votes at or after `since_ms`, oldest first.
StatusOr<std::vector<ArenaVote>> ListArenaVotes(Database& database, int64_t since_ms);

// How many votes `visitor` cast at or after `since_ms` (per-visitor limits).
StatusOr<int64_t> CountArenaVotes(Database& database, const std::string& visitor, int64_t since_ms);

// {"model_a", "model_b", "winner", "battle_id", "at_ms"}: a line of the votes
// file `tokenfab leaderboard --votes` reads.
std::string ArenaVoteJsonLine(const ArenaVote& vote);

}  // namespace fab::control
