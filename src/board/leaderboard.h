// The leaderboard of a set of arena votes: each model's Bradley–Terry rating
// (bradley_terry.h), its bootstrap 95% interval (the votes resampled with
// replacement, refitted, the 2.5th and 97.5th percentiles), a rank that
// accounts for the intervals (1 + the number of models whose ci_low is above
// this model's ci_high, as LMArena ranks), and its battles (every vote it
// was in) and wins (outright, ties not counted). Models are listed by
// rating, highest first. Votes come as JSON lines
//   {"model_a": …, "model_b": …, "winner": "model_a" | "model_b" | "tie" | "tie (bothbad)"}
// (the arena's export and `tokenfab leaderboard --votes`). Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fab::board {

struct NamedVote {
  std::string model_a;
  std::string model_b;
  double score_a = 0.5;  // 1: model_a won, 0: model_b won, 0.5: either kind of tie
};

struct Standing {
  std::string model;
  double rating = 1000.0;
  double ci_low = 1000.0;
  double ci_high = 1000.0;
  int64_t rank = 1;
  int64_t battles = 0;
  int64_t wins = 0;
};

struct Leaderboard {
  std::vector<Standing> models;  // by rating, highest first
  bool regularised = false;      // the maximum likelihood does not exist: the L2 prior was used
  std::string why;               // regularised: why, naming the model
  int64_t n_votes = 0;
  int64_t bootstrap = 0;         // resamples behind the intervals (0: the intervals are the rating)
};

inline constexpr int64_t kMaxVotes = int64_t{1} << 24;
inline constexpr int64_t kMaxBootstrap = 100000;

// One vote per non-empty line. InvalidArgument naming the line for JSON that
// is not such an object, an unknown winner, a model against itself, an empty
// or overlong (> 256 bytes) name; ResourceExhausted beyond kMaxVotes.
StatusOr<std::vector<NamedVote>> ParseVotesJsonl(std::string_view text);

// `bootstrap` in [0, kMaxBootstrap]; the resamples draw from a generator seeded with `seed`.
Leaderboard ComputeLeaderboard(const std::vector<NamedVote>& votes, int64_t bootstrap, uint64_t seed);

}  // namespace fab::board
