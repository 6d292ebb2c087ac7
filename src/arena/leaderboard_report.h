// The leaderboard as the board publishes it, beside quality its price: each
// model's standing (board/leaderboard.h) with its eval scores (from
// `tokenfab eval --json` results) and what its requests cost in the books
// (control/usage_report.h: $/Mtok, J/token, and the median TPOT those rows
// had). One JSON shape for `tokenfab leaderboard --json` and GET
// /api/leaderboard:
//   {"models": [{"model", "rating", "ci_low", "ci_high", "rank", "battles",
//                "wins", ["requests", "cost_per_mtok", "joules_per_token",
//                "median_tpot_s"], ["eval": {task: {metric: value}}]}],
//    "votes", "bootstrap", "seed", "fit", ["note"],
//    ["unrated": [{"model", costs and eval as above}]]}
// Pure but for ReadEvalScores, which reads files.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "base/status.h"
#include "board/leaderboard.h"
#include "control/usage_report.h"

namespace fab::arena {

// model → {task: {metric: value}} from `tokenfab eval --json` result files.
// InvalidArgument naming the file for one that is not such a result.
StatusOr<boost::json::object> ReadEvalScores(const std::vector<std::string>& paths);

// The published board; `usage` by model (models without rows get no cost
// fields), `eval_scores` as ReadEvalScores returns. The models of `served`
// that no vote names yet are listed under "unrated" (absent when none is).
boost::json::object LeaderboardJson(const board::Leaderboard& board, const std::map<std::string, control::ModelUsage>& usage,
                                    const boost::json::object& eval_scores, uint64_t seed,
                                    const std::vector<std::string>& served = {});

}  // namespace fab::arena
