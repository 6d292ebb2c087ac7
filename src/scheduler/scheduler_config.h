// SchedulerConfig: the plain-data limits of one scheduler, as they come from
// flags or config files. Validate() is the one place where they are checked.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "kvcache/kv_cache_config.h"

namespace fab::scheduler {

struct SchedulerConfig {
  static constexpr int64_t kMaxTokensPerStepLimit = int64_t{1} << 20;
  static constexpr int32_t kMaxSequencesLimit = 1 << 16;

  // Token budget of one step: the sum of fed tokens over all sequences.
  int64_t max_tokens_per_step = 512;
  // Sequences running at once; <= max_tokens_per_step, so every running
  // sequence can always get its decode token.
  int32_t max_sequences = 64;
  // Most prompt (or recompute) tokens one sequence advances per step: a long
  // prompt stalls running streams for at most one chunk.
  int64_t prefill_chunk = 256;
  kvcache::KvCacheConfig kv_cache;

  // InvalidArgument naming the field when a value is out of range.
  Status Validate() const;
};

}  // namespace fab::scheduler
