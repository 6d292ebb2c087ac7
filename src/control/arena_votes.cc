#include "control/arena_votes.h"

#include <boost/json.hpp>

namespace fab::control {

Status RecordArenaVote(Database& database, const ArenaVote& vote) {
  if (vote.winner != "model_a" && vote.winner != "model_b" && vote.winner != "tie" && vote.winner != "tie (bothbad)") {
    return InvalidArgumentError("an arena vote's winner must be model_a, model_b, tie or tie (bothbad), not '" +
                                vote.winner.substr(0, 32) + "'");
  }
  if (vote.model_a.empty() || vote.model_a == vote.model_b) {
    return InvalidArgumentError("an arena vote needs two different models");
  }
  StatusOr<std::vector<SqlRow>> inserted = database.Query(
      "INSERT INTO arena_votes (battle_id, model_a, model_b, winner, prompt_sha256, prompt, visitor, at_ms) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (battle_id) DO NOTHING RETURNING battle_id",
      {vote.battle_id, vote.model_a, vote.model_b, vote.winner, vote.prompt_sha256,
       vote.prompt ? SqlValue(*vote.prompt) : SqlValue(), vote.visitor, vote.at_ms});
  if (!inserted.ok()) return inserted.status();
  if (inserted->empty()) return FailedPreconditionError("battle " + vote.battle_id + " already has its vote");
  return OkStatus();
}

StatusOr<std::vector<ArenaVote>> ListArenaVotes(Database& database, int64_t since_ms) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       database.Query("SELECT battle_id, model_a, model_b, winner, prompt_sha256, prompt, visitor, "
                                      "at_ms FROM arena_votes WHERE at_ms >= $1 ORDER BY at_ms, battle_id",
                                      {since_ms}));
  std::vector<ArenaVote> votes;
  for (const SqlRow& row : rows) {
    ArenaVote vote;
    vote.battle_id = SqlText(row[0]);
    vote.model_a = SqlText(row[1]);
    vote.model_b = SqlText(row[2]);
    vote.winner = SqlText(row[3]);
    vote.prompt_sha256 = SqlText(row[4]);
    if (!SqlIsNull(row[5])) vote.prompt = SqlText(row[5]);
    vote.visitor = SqlText(row[6]);
    vote.at_ms = SqlInt(row[7]);
    votes.push_back(std::move(vote));
  }
  return votes;
}

StatusOr<int64_t> CountArenaVotes(Database& database, const std::string& visitor, int64_t since_ms) {
  FAB_ASSIGN_OR_RETURN(const std::vector<SqlRow> rows,
                       database.Query("SELECT COUNT(*) FROM arena_votes WHERE visitor = $1 AND at_ms >= $2",
                                      {visitor, since_ms}));
  return SqlInt(rows.front()[0]);
}

std::string ArenaVoteJsonLine(const ArenaVote& vote) {
  return boost::json::serialize(boost::json::object{{"model_a", vote.model_a},
                                                    {"model_b", vote.model_b},
                                                    {"winner", vote.winner},
                                                    {"battle_id", vote.battle_id},
                                                    {"at_ms", vote.at_ms}});
}

}  // namespace fab::control
