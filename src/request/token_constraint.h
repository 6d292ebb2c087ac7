// TokenConstraint: a per-request rule on which tokens may be sampled next
// (structured output: a grammar; grammar/grammar_constraint.h implements it).
// The runtime asks it for the allowed tokens before each sample of the
// request's sequence and tells it the token sampled. Only the engine's step
// thread calls it, one call at a time, so it needs no locking. It lives as
// long as the request and advances only on sampled tokens, which recompute
// after preemption does not redo: a preempted request resumes where it was.
// Header-only interface.
#pragma once

#include <cstdint>
#include <span>

#include "base/types.h"

namespace fab {

class TokenConstraint {
 public:
  virtual ~TokenConstraint() = default;

  // False while every token may come next (the caller may skip the mask
  // then; FillAllowed would set every bit).
  virtual bool Restricts() const { return true; }
  // Sets bit t (bit t % 32 of word t / 32) of `allowed`, which holds
  // ceil(n_vocab / 32) words, for each token that may come next, and clears
  // the others. Sets at least one bit.
  virtual void FillAllowed(std::span<uint32_t> allowed) = 0;
  // `token`, which the last FillAllowed allowed, was sampled.
  virtual void Accept(TokenId token) = 0;
};

}  // namespace fab
