// The C API's option structs (tokenfab.h) to and from the C++ API's: the
// defaults, and checked conversions that read caller memory only within the
// sizes allowed, so absurd counts are refused before anything is read.
// Errors are InvalidArgument naming the C field. Only src/api/c_api*.cc
// include this.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "request/limits.h"
#include "tokenfab/engine.h"
#include "tokenfab/tokenfab.h"

namespace fab::capi {

// More chat messages than this in one request are refused unread.
inline constexpr size_t kMaxMessages = 4096;
// More stop strings than this are refused unread (every front end's cap).
using fab::kMaxStopStrings;

tf_engine_options DefaultEngineOptions();
tokenfab::EngineOptions ToEngineOptions(const tf_engine_options& options);

tf_request_options DefaultRequestOptions();
// `n_ctx`: the engine's context, the most prompt tokens read.
StatusOr<tokenfab::GenerateRequest> ToGenerateRequest(const tf_request_options& options, int64_t n_ctx);

}  // namespace fab::capi
