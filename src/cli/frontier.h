// The throughput–interactivity frontier of one model on one machine, and
// the prices it implies. A point is one (power budget, concurrency) run of
// `tokenfab bench frontier` (cli/bench_batched.h's RunBatched): aggregate
// output tokens/s against tokens/s per user, with TTFT, watts and joules per
// output token. The Pareto frontier keeps the points no other point beats on
// both axes. A tier (control/slo.h) is the frontier point with the most
// aggregate tokens/s whose per-user rate meets 1 / tpot_s and whose TTFT
// meets ttft_s; its price per million output tokens is the machine's cost
// per hour (hardware per hour, plus the point's watts × PUE at the energy
// price) over the tokens per hour the point yields at the target
// utilisation. Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "base/status.h"
#include "control/cost_model.h"
#include "control/slo.h"

namespace fab::cli {

struct FrontierPoint {
  std::optional<double> budget_watts;  // none: no budget
  int concurrency = 1;
  double aggregate_tps = 0.0;          // output tokens/s over all users
  double user_tps = 0.0;               // output tokens/s each user sees (median)
  double ttft_p50_s = 0.0;
  double watts = 0.0;
  double joules_per_token = 0.0;       // per output token
  bool on_frontier = false;
};

// Marks on_frontier: no other point has ≥ both rates and > one of them.
void MarkParetoFrontier(std::vector<FrontierPoint>& points);

// {"model", "n_prompt", "n_gen", "threads", "isa", "energy_source", "points": [{…, "on_frontier"}]}
boost::json::object FrontierJson(const std::vector<FrontierPoint>& points, const boost::json::object& about);
// The points of FrontierJson's output; InvalidArgument naming what is missing.
StatusOr<std::vector<FrontierPoint>> ParseFrontierJson(const boost::json::value& json);

// x: tokens/s per user, y: aggregate tokens/s; a series per budget, the frontier drawn through.
std::string RenderFrontierSvg(const std::vector<FrontierPoint>& points, const std::string& title);

struct TierPrice {
  std::string tier;
  std::optional<FrontierPoint> point;  // none: no frontier point meets the tier's objectives
  double cost_per_hour = 0.0;          // machine + energy at the point, in the cost model's currency
  double tokens_per_hour = 0.0;        // aggregate × 3600 × utilisation
  double price_per_mtok = 0.0;
};

// One price per tier, premium, standard, batch.
std::vector<TierPrice> PriceTiers(const std::vector<FrontierPoint>& points, const control::SloTargets& slo,
                                  const control::CostModel& cost, double utilisation);

}  // namespace fab::cli
