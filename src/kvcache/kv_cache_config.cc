#include "kvcache/kv_cache_config.h"

#include <string>

#include "kvcache/block_pool.h"

namespace fab::kvcache {

Status KvCacheConfig::Validate() const {
  if (block_size < 1 || block_size > kMaxBlockSize) {
    return InvalidArgumentError("kv cache block_size " + std::to_string(block_size) + " outside [1, " +
                                std::to_string(kMaxBlockSize) + "]");
  }
  if (capacity_tokens < block_size) {
    return InvalidArgumentError("kv cache capacity_tokens " + std::to_string(capacity_tokens) +
                                " holds less than one block of " + std::to_string(block_size) + " tokens");
  }
  if (capacity_tokens / block_size > BlockPool::kMaxBlocks) {
    return InvalidArgumentError("kv cache capacity_tokens " + std::to_string(capacity_tokens) + " needs more than " +
                                std::to_string(BlockPool::kMaxBlocks) + " blocks of " + std::to_string(block_size) +
                                " tokens; use larger blocks or a smaller cache");
  }
  if (sliding_window < 0) {
    return InvalidArgumentError("kv cache sliding_window " + std::to_string(sliding_window) + " is negative");
  }
  return OkStatus();
}

}  // namespace fab::kvcache
