// Sampler: turns one row of logits into the next token. Applies, in order,
// the logit bias, logit penalties (repetition, frequency, presence over the last
// penalty_last_n tokens), then greedy when temperature <= 0, else top-k,
// temperature, top-p, min-p and a draw from a seeded generator: the same seed
// and the same logits give the same tokens. Tokens at -inf (a constraint's
// mask) are dropped first; when nothing is cut, the draw needs no sort. One sampler per sequence; not
// thread-safe.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "request/sampling_params.h"

namespace fab::runtime {

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);

  // Picks the next token from `logits` ([n_vocab]); `history` is every token
  // of the sequence so far (prompt and generated).
  TokenId Sample(std::span<const float> logits, std::span<const TokenId> history);

 private:
  void ApplyLogitBias();
  void ApplyPenalties(std::span<const TokenId> history);
  // The draw when top-k, top-p and min-p cut nothing: no sort of the vocabulary.
  TokenId DrawFromAll();
  // One draw from candidates_' weights (in `logit`), which sum to `total`.
  TokenId Draw(float total);
  void KeepTopK();
  void ApplyTopPAndMinP();

  SamplingParams params_;
  std::mt19937_64 rng_;
  struct Candidate {
    TokenId id;
    float logit;
  };
  std::vector<Candidate> candidates_;  // reused between calls
};

// The index of the largest logit (lowest index on ties).
TokenId ArgMax(std::span<const float> logits);

}  // namespace fab::runtime
