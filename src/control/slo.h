// Service-level objectives per tier (control/policy.h's premium, standard,
// batch): the time to first token and the time per output token a request
// of the tier should get. Defaults: premium 1 s / 100 ms, standard 3 s /
// 250 ms, batch none (deferrable; it may carry metadata.deadline). A file
// (serve --slo-config) overrides them:
//   [premium]  ttft_s = 1.0   tpot_s = 0.1
//   [standard] ttft_s = 3.0   tpot_s = 0.25
//   [batch]    ttft_s = 3600  tpot_s = 1.0     # optional: batch has none by default
// A request is within its tier's SLO when it ended without an error and its
// TTFT and mean TPOT ((e2e − ttft) / (tokens − 1)) are within the targets
// (a target the tier does not set always holds). Pure, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "control/policy.h"

namespace fab::control {

struct TierSlo {
  std::optional<double> ttft_s;
  std::optional<double> tpot_s;
};

struct SloTargets {
  TierSlo premium{1.0, 0.1};
  TierSlo standard{3.0, 0.25};
  TierSlo batch{};

  const TierSlo& For(Tier tier) const;
};

// InvalidArgument naming the table and key for anything else than the
// three tables with positive, finite ttft_s and tpot_s (at most a day).
StatusOr<SloTargets> LoadSloConfig(const std::string& path);

// Whether a request that ended well had this TTFT and mean TPOT (nullopt:
// not measured, e.g. one token only) within `slo`.
bool WithinSlo(const TierSlo& slo, std::optional<double> ttft_s, std::optional<double> tpot_s);

}  // namespace fab::control
