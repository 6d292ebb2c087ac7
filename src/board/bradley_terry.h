// Bradley–Terry ratings from pairwise votes, on the Elo scale LMArena uses:
// P(i beats j) = 1 / (1 + 10^((R_j − R_i) / 400)). A tie counts as half a
// win for each side. The fit is the unregularised maximum likelihood when it
// exists, that is when the "beat or tied" graph of the models is strongly
// connected (every model won and lost something, and no group of models
// only ever beat, or only ever lost to, the rest). Otherwise a small L2
// prior on the strengths (kPriorLambda, in natural log-odds units: a
// Gaussian with σ = 10 log-odds, about 1737 rating points) makes it finite,
// and the result says why. Ratings are shifted so their mean is 1000.
// Newton's method with step halving; pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fab::board {

inline constexpr double kPriorLambda = 0.01;

struct Vote {
  uint32_t a = 0;        // model indices, a != b
  uint32_t b = 0;
  double score_a = 0.5;  // 1: a won, 0: b won, 0.5: a tie
};

// Why the maximum likelihood does not exist: `model` (when one model is the
// reason) and what of it ("never lost"), or what of the votes.
struct NoMaximum {
  std::optional<uint32_t> model;
  std::string what;
};

struct Fit {
  std::vector<double> ratings;     // one per model, mean 1000
  std::optional<NoMaximum> why;    // set: the maximum likelihood does not exist; the prior was used
};

// `n_models` ≥ 1; every vote's indices are below it. Models in no vote get 1000 (and make
// the fit regularised: nothing ties them to the others).
Fit FitBradleyTerry(uint32_t n_models, std::span<const Vote> votes);

// Why the maximum likelihood of `votes` does not exist, or nullopt when it does.
std::optional<NoMaximum> WhyNoMaximumLikelihood(uint32_t n_models, std::span<const Vote> votes);

}  // namespace fab::board
