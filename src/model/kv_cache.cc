#include "model/kv_cache.h"

namespace fab::model {

KvCache::KvCache(int64_t n_layer, int64_t n_ctx, int64_t kv_dim)
    : n_ctx_(n_ctx),
      kv_dim_(kv_dim),
      keys_(static_cast<size_t>(n_layer * n_ctx * kv_dim) * sizeof(float)),
      values_(static_cast<size_t>(n_layer * n_ctx * kv_dim) * sizeof(float)) {}

}  // namespace fab::model
