// RequestCounters: per-request counts the scheduler keeps and the engine
// reports, for metrics and usage accounting. Header-only plain data.
#pragma once

#include <cstdint>

namespace fab {

struct RequestCounters {
  int64_t n_prompt_tokens = 0;
  int64_t n_cached_prompt_tokens = 0;  // prompt tokens served by the prefix cache at first admission
  int32_t n_generated = 0;
  int32_t n_preemptions = 0;
};

}  // namespace fab
