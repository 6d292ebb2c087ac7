// SamplingParams (defined in tokenfab/request.h): how one request turns
// logits into its next token, and the one logit-bias check, which needs the
// vocabulary size. runtime/'s Sampler applies them. Header-only.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/types.h"
#include "tokenfab/request.h"

namespace fab {

using tokenfab::kMaxLogitBias;
using tokenfab::LogitBias;
using tokenfab::SamplingParams;

// The one logit-bias check: at most n_vocab entries, every id in [0, n_vocab),
// every amount finite and in [-kMaxLogitBias, kMaxLogitBias]. InvalidArgument
// naming the first bad entry.
inline Status CheckLogitBias(const LogitBias& logit_bias, int64_t n_vocab) {
  if (static_cast<int64_t>(logit_bias.size()) > n_vocab) {
    return InvalidArgumentError("logit_bias holds " + std::to_string(logit_bias.size()) +
                                " entries, more than the vocabulary's " + std::to_string(n_vocab) + " tokens");
  }
  for (const auto& [token, bias] : logit_bias) {
    if (token < 0 || token >= n_vocab) {
      return InvalidArgumentError("logit_bias token " + std::to_string(token) + " is outside the vocabulary of " +
                                  std::to_string(n_vocab) + " tokens");
    }
    if (!tokenfab::internal::InRange(bias, -kMaxLogitBias, kMaxLogitBias)) {
      return InvalidArgumentError("logit_bias of token " + std::to_string(token) + " must be in [-100, 100]");
    }
  }
  return OkStatus();
}

}  // namespace fab
