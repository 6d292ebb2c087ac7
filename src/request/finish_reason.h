// FinishReason: why a request (or one OpenAI choice) ended, the one list that
// the scheduler, the engine, the server and the public API share (defined in
// tokenfab/request.h). The scheduler reports only kMaxTokens, kStopToken and
// kKvCacheFull; the engine adds kCancelled and kError; only text-level stop
// matching (the server, the public API) reports kStopString. Header-only.
#pragma once

#include "tokenfab/request.h"

namespace fab {

using tokenfab::FinishReason;
using tokenfab::FinishReasonName;
using tokenfab::IsStop;
using tokenfab::kNumFinishReasons;

}  // namespace fab
