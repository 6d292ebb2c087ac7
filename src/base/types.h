// Small fixed-width types shared by every layer.
#pragma once

#include <cstdint>

namespace fab {

using TokenId = int32_t;  // index into a model's vocabulary
using SeqPos = int32_t;   // position of a token within one sequence

}  // namespace fab
