#include "runtime/logprobs.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/dispatch.h"

namespace fab::runtime {

float LogprobScratch::LogSumExp(std::span<const float> logits) {
  const kernels::FloatOps& ops = kernels::ActiveKernels().floats;
  const int64_t n = static_cast<int64_t>(logits.size());
  const float max = ops.max(logits.data(), n);
  if (!std::isfinite(max)) return max;  // all -inf (or a non-finite logit): nothing to normalize
  exps_.assign(logits.begin(), logits.end());
  const float sum = ops.exp_shifted_sum(exps_.data(), n, max);
  return max + std::log(sum);
}

void TopLogprobs(std::span<const float> logits, float log_sum_exp, int32_t n, std::vector<TokenLogprob>& top) {
  top.clear();
  const size_t n_keep = std::min(static_cast<size_t>(std::max(n, 0)), logits.size());
  if (n_keep == 0) return;
  top.reserve(n_keep);
  // top holds the best so far as logits, best first; a later equal logit has
  // a larger id, so only a strictly larger one displaces an entry.
  float threshold = -std::numeric_limits<float>::infinity();
  for (size_t id = 0; id < logits.size(); ++id) {
    const float logit = logits[id];
    if (top.size() == n_keep && !(logit > threshold)) continue;
    if (top.size() == n_keep) top.pop_back();
    auto at = std::upper_bound(top.begin(), top.end(), logit,
                               [](float value, const TokenLogprob& entry) { return value > entry.logprob; });
    top.insert(at, TokenLogprob{static_cast<TokenId>(id), logit});
    if (top.size() == n_keep) threshold = top.back().logprob;
  }
  for (TokenLogprob& entry : top) entry.logprob -= log_sum_exp;
}

}  // namespace fab::runtime
