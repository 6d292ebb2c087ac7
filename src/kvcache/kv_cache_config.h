// KvCacheConfig: the plain-data sizes of one KV cache, as they come from
// flags or config files. Validate() is the one place where outside values are
// checked; everything behind it may FAB_CHECK.
#pragma once

#include <cstdint>

#include "base/status.h"

namespace fab::kvcache {

struct KvCacheConfig {
  static constexpr int32_t kMaxBlockSize = 1024;

  int64_t capacity_tokens = 0;  // token slots in the pool; rounded down to whole blocks
  int32_t block_size = 16;      // token slots per block, in [1, kMaxBlockSize]
  uint64_t hash_seed = 0;       // serving: random per process (see block_hash.h)
  // > 0 when every layer of the model attends only the last sliding_window
  // positions: once a sequence's next position no longer reaches a block,
  // the block goes back to the pool (its table entry becomes kReleasedBlock).
  int64_t sliding_window = 0;

  // InvalidArgument naming the field when block_size is out of range or
  // capacity_tokens holds less than one block or more than BlockPool::kMaxBlocks.
  Status Validate() const;
  // capacity_tokens / block_size; only meaningful after Validate() succeeds.
  int32_t n_blocks() const { return static_cast<int32_t>(capacity_tokens / block_size); }
};

}  // namespace fab::kvcache
