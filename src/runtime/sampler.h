// Sampler: turns one row of logits into the next token. Applies, in order,
// the logit bias, logit penalties (repetition, frequency, presence over the last
// penalty_last_n tokens), then greedy when temperature <= 0, else top-k,
// temperature, top-p, min-p and a draw from a seeded generator: the same seed
// and the same logits give the same tokens. One sampler per sequence; not
// thread-safe.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/types.h"

namespace fab::runtime {

struct SamplingParams {
  float temperature = 0.8f;     // <= 0: greedy
  int32_t top_k = 40;           // <= 0: off
  float top_p = 0.95f;          // >= 1: off
  float min_p = 0.05f;          // <= 0: off
  float repetition_penalty = 1.0f;  // 1: off (llama.cpp semantics: divide positive logits, multiply negative)
  float frequency_penalty = 0.0f;   // subtract count * penalty
  float presence_penalty = 0.0f;    // subtract penalty once if present
  int32_t penalty_last_n = 64;      // window of recent tokens the penalties see
  uint64_t seed = 0;
  // Added to the logits of these tokens before anything else (OpenAI
  // logit_bias): ids in [0, n_vocab), biases in [-100, 100]. Also applies
  // to greedy sampling. The engine checks the ids (Validate cannot know
  // n_vocab); the sampler ignores ids outside the row. Repeated ids add up.
  std::vector<std::pair<TokenId, float>> logit_bias;

  // InvalidArgument naming the field when a value is out of range or NaN.
  Status Validate() const;
};

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);

  // Picks the next token from `logits` ([n_vocab]); `history` is every token
  // of the sequence so far (prompt and generated).
  TokenId Sample(std::span<const float> logits, std::span<const TokenId> history);

 private:
  void ApplyLogitBias();
  void ApplyPenalties(std::span<const TokenId> history);
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
