// Log-probabilities of one row of logits under the model's raw distribution
// (log-softmax, before logit bias, penalties and temperature): the shared
// log-sum-exp of a row and the n most likely tokens. Used by the Executor for
// sampled tokens and scored prompt rows. LogprobScratch is not thread-safe
// (one per caller); the free functions are reentrant.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "request/step_plan.h"

namespace fab::runtime {

class LogprobScratch {
 public:
  // log Σ exp(logits[i]) over a non-empty row, with the vector exp of the
  // kernel table (~2e-7 relative error per term). One pass for the max, one
  // copy and one exp pass; the copy's buffer is reused between calls.
  float LogSumExp(std::span<const float> logits);

 private:
  std::vector<float> exps_;
};

// The `n` largest logits of the row as (token, logits[token] - log_sum_exp),
// best first, ties by lower id; n is capped at the row size. A partial
// selection: one pass keeping the best n in a small sorted buffer, O(V + n²)
// in the usual case. Replaces the contents of `top`.
void TopLogprobs(std::span<const float> logits, float log_sum_exp, int32_t n, std::vector<TokenLogprob>& top);

}  // namespace fab::runtime
