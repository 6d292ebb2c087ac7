#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

namespace fab::runtime {
TokenId ArgMax(std::span<const float> logits) {
  return static_cast<TokenId>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) {}

TokenId Sampler::Sample(std::span<const float> logits, std::span<const TokenId> history) {
  candidates_.resize(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) candidates_[i] = {static_cast<TokenId>(i), logits[i]};
  ApplyLogitBias();
  ApplyPenalties(history);
  if (params_.temperature <= 0.0f) {
    auto best = std::max_element(candidates_.begin(), candidates_.end(),
                                 [](const Candidate& a, const Candidate& b) { return a.logit < b.logit; });
    return best->id;
  }
  // Tokens a constraint masked (-inf) can never be drawn: leave them out.
  std::erase_if(candidates_, [](const Candidate& c) { return c.logit == -std::numeric_limits<float>::infinity(); });
  const bool truncates = (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < candidates_.size()) ||
                         params_.top_p < 1.0f || params_.min_p > 0.0f;
  if (!truncates) return DrawFromAll();
  KeepTopK();
  for (Candidate& c : candidates_) c.logit /= params_.temperature;
  ApplyTopPAndMinP();
  // candidates_ now holds probabilities (in `logit`), largest first.
  float total = 0.0f;
  for (const Candidate& c : candidates_) total += c.logit;
  return Draw(total);
}

TokenId Sampler::DrawFromAll() {
  // Nothing is cut, so no order is needed: the softmax in id order, one draw.
  float max_logit = -std::numeric_limits<float>::infinity();
  for (const Candidate& c : candidates_) max_logit = std::max(max_logit, c.logit);
  float total = 0.0f;
  for (Candidate& c : candidates_) {
    c.logit = std::exp((c.logit - max_logit) / params_.temperature);
    total += c.logit;
  }
  return Draw(total);
}

TokenId Sampler::Draw(float total) {
  std::uniform_real_distribution<float> uniform(0.0f, total);
  float target = uniform(rng_);
  for (const Candidate& c : candidates_) {
    target -= c.logit;
    if (target <= 0.0f) return c.id;
  }
  return candidates_.back().id;
}

void Sampler::ApplyLogitBias() {
  for (const auto& [token, bias] : params_.logit_bias) {
    if (token < 0 || static_cast<size_t>(token) >= candidates_.size()) continue;
    candidates_[static_cast<size_t>(token)].logit += bias;
  }
}

void Sampler::ApplyPenalties(std::span<const TokenId> history) {
  const bool active = params_.repetition_penalty != 1.0f || params_.frequency_penalty != 0.0f ||
                      params_.presence_penalty != 0.0f;
  if (!active || history.empty() || params_.penalty_last_n == 0) return;
  const size_t window = std::min<size_t>(history.size(), static_cast<size_t>(params_.penalty_last_n));
  std::unordered_map<TokenId, int> counts;
  for (TokenId id : history.subspan(history.size() - window)) ++counts[id];
  for (const auto& [id, count] : counts) {
    if (id < 0 || static_cast<size_t>(id) >= candidates_.size()) continue;
    float& logit = candidates_[static_cast<size_t>(id)].logit;
    logit = logit > 0.0f ? logit / params_.repetition_penalty : logit * params_.repetition_penalty;
    logit -= static_cast<float>(count) * params_.frequency_penalty + params_.presence_penalty;
  }
}

void Sampler::KeepTopK() {
  auto by_logit = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  const size_t k = params_.top_k > 0 ? std::min<size_t>(params_.top_k, candidates_.size()) : candidates_.size();
  std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(k), candidates_.end(),
                    by_logit);
  candidates_.resize(k);
}

void Sampler::ApplyTopPAndMinP() {
  // Softmax over the sorted survivors.
  const float max_logit = candidates_.front().logit;
  float sum = 0.0f;
  for (Candidate& c : candidates_) {
    c.logit = std::exp(c.logit - max_logit);
    sum += c.logit;
  }
  for (Candidate& c : candidates_) c.logit /= sum;
  size_t keep = candidates_.size();
  if (params_.top_p < 1.0f) {
    float cumulative = 0.0f;
    for (size_t i = 0; i < candidates_.size(); ++i) {
      cumulative += candidates_[i].logit;
      if (cumulative >= params_.top_p) {
        keep = i + 1;
        break;
      }
    }
  }
  if (params_.min_p > 0.0f) {
    const float threshold = params_.min_p * candidates_.front().logit;
    size_t above = 1;
    while (above < keep && candidates_[above].logit >= threshold) ++above;
    keep = above;
  }
  candidates_.resize(keep);
}

}  // namespace fab::runtime
