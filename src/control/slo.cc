#include "control/slo.h"

#include <cmath>

#include <toml++/toml.h>

namespace fab::control {

const TierSlo& SloTargets::For(Tier tier) const {
  switch (tier) {
    case Tier::kPremium: return premium;
    case Tier::kBatch: return batch;
    case Tier::kStandard: break;
  }
  return standard;
}

StatusOr<SloTargets> LoadSloConfig(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    return InvalidArgumentError(path + ": " + std::string(error.description()));
  }
  SloTargets targets;
  for (const auto& [key, node] : table) {
    const std::string tier(key.str());
    TierSlo* slo = tier == "premium" ? &targets.premium : tier == "standard" ? &targets.standard
                   : tier == "batch" ? &targets.batch : nullptr;
    if (slo == nullptr || !node.is_table()) {
      return InvalidArgumentError(path + ": [" + tier + "] is not a tier (premium, standard, batch)");
    }
    for (const auto& [name, value] : *node.as_table()) {
      const std::string field(name.str());
      std::optional<double>* target = field == "ttft_s" ? &slo->ttft_s : field == "tpot_s" ? &slo->tpot_s : nullptr;
      const std::optional<double> number = value.value<double>();
      if (target == nullptr) return InvalidArgumentError(path + ": [" + tier + "] " + field + " is not ttft_s or tpot_s");
      if (!number || !std::isfinite(*number) || *number <= 0 || *number > 86400) {
        return InvalidArgumentError(path + ": [" + tier + "] " + field + " must be seconds in (0, 86400]");
      }
      *target = *number;
    }
  }
  return targets;
}

bool WithinSlo(const TierSlo& slo, std::optional<double> ttft_s, std::optional<double> tpot_s) {
  if (slo.ttft_s && ttft_s && *ttft_s > *slo.ttft_s) return false;
  if (slo.tpot_s && tpot_s && *tpot_s > *slo.tpot_s) return false;
  return true;
}

}  // namespace fab::control
