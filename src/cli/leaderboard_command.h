// `tokenfab leaderboard --votes FILE [--bootstrap 1000] [--seed S] [--db URL]
// [--eval FILE]... [--json]`:
// the Bradley–Terry leaderboard of arena votes (board/leaderboard.h) from a
// JSON-lines file, as a table or as {"models": [{"model", "rating",
// "ci_low", "ci_high", "rank", "battles", "wins"}], "votes", "bootstrap",
// "seed", "fit", "note"} where "fit" is "maximum likelihood" or "L2 prior"
// (then "note" says why). With --db (the books `tokenfab serve --db` keeps),
// each model also gets its measured "cost_per_mtok", "joules_per_token",
// "requests" and the interactivity they were measured at, "median_tpot_s",
// from the ledger; with --eval FILE (a `tokenfab eval --json` result whose
// "model" names it, repeatable) its "eval" scores {task: {metric: value}}.
// Options and entry point.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace fab::cli {

struct LeaderboardOptions {
  std::string votes_path;
  int64_t bootstrap = 1000;  // resamples behind the 95% intervals (0: none)
  uint64_t seed = 0;
  bool json = false;
  std::string db_url;                  // the books, for cost and energy per model; empty: none
  std::string secret_file;             // the books' server secret (default path when empty)
  std::vector<std::string> eval_paths; // `tokenfab eval --json` results
};

// Prints the board; 0, or 1 with "tokenfab: <error>" on stderr.
int RunLeaderboard(const LeaderboardOptions& options);

void AddLeaderboard(CLI::App& app, LeaderboardOptions& options, int& code);

}  // namespace fab::cli
