// Priority: which requests the scheduler serves first (defined once, in the
// public tokenfab/request.h). Header-only.
#pragma once

#include "tokenfab/request.h"

namespace fab {

using tokenfab::kNumPriorities;
using tokenfab::Priority;
using tokenfab::PriorityRank;

}  // namespace fab
