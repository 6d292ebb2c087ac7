// TokenLogprob: a token and its raw log-probability, as every layer reports
// it (defined in tokenfab/request.h). Header-only.
#pragma once

#include "tokenfab/request.h"

namespace fab {

using tokenfab::kMaxTopLogprobs;
using tokenfab::TokenLogprob;

}  // namespace fab
