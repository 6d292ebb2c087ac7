// How one engine step's energy and time are shared among the requests it
// computed: in proportion to the tokens each fed in the step (a prefill
// chunk of 512 tokens costs 512 shares, a decode token one), the rule the
// ledger's joules and machine seconds per request follow. The shares add
// up to the whole amount; an empty plan has no shares (its energy is idle).
// Pure functions.
#pragma once

#include <vector>

#include "request/step_plan.h"

namespace fab::engine {

// amount × n_tokens(sequence) / n_tokens(plan), per plan.sequences entry.
std::vector<double> SplitByTokens(const StepPlan& plan, double amount);

}  // namespace fab::engine
