#include "engine/step_energy.h"

namespace fab::engine {

std::vector<double> SplitByTokens(const StepPlan& plan, double amount) {
  std::vector<double> shares;
  const int64_t n_total = plan.n_tokens();
  if (n_total <= 0) return shares;
  shares.reserve(plan.sequences.size());
  double given = 0.0;
  for (size_t i = 0; i < plan.sequences.size(); ++i) {
    // The last share takes the rounding remainder, so that the sum is exact.
    const double share = i + 1 == plan.sequences.size()
                             ? amount - given
                             : amount * static_cast<double>(plan.sequences[i].n_tokens()) / static_cast<double>(n_total);
    shares.push_back(share);
    given += share;
  }
  return shares;
}

}  // namespace fab::engine
