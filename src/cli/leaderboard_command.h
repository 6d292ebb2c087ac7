// `tokenfab leaderboard --votes FILE [--bootstrap 1000] [--seed S] [--json]`:
// the Bradley–Terry leaderboard of arena votes (board/leaderboard.h) from a
// JSON-lines file, as a table or as {"models": [{"model", "rating",
// "ci_low", "ci_high", "rank", "battles", "wins"}], "votes", "bootstrap",
// "seed", "fit", "note"} where "fit" is "maximum likelihood" or "L2 prior"
// (then "note" says why). Options and entry point.
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace fab::cli {

struct LeaderboardOptions {
  std::string votes_path;
  int64_t bootstrap = 1000;  // resamples behind the 95% intervals (0: none)
  uint64_t seed = 0;
  bool json = false;
};

// Prints the board; 0, or 1 with "tokenfab: <error>" on stderr.
int RunLeaderboard(const LeaderboardOptions& options);

void AddLeaderboard(CLI::App& app, LeaderboardOptions& options, int& code);

}  // namespace fab::cli
