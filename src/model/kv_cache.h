// KvCache: the float32 key and value cache of one sequence, contiguous per
// layer: k(layer) and v(layer) are [n_ctx, kv_dim] with kv_dim = n_head_kv *
// head_dim, the layout AttentionCausal reads. Owned buffers; not thread-safe.
// (The paged, multi-sequence cache of the serving engine lives in kvcache/
// and runtime/.)
#pragma once

#include <cstdint>

#include "base/aligned_buffer.h"

namespace fab::model {

class KvCache {
 public:
  KvCache(int64_t n_layer, int64_t n_ctx, int64_t kv_dim);

  float* k(int64_t layer_idx) { return keys_.as<float>() + layer_idx * layer_stride(); }
  float* v(int64_t layer_idx) { return values_.as<float>() + layer_idx * layer_stride(); }
  int64_t n_ctx() const { return n_ctx_; }
  int64_t kv_dim() const { return kv_dim_; }
  size_t n_bytes() const { return keys_.size() + values_.size(); }

 private:
  int64_t layer_stride() const { return n_ctx_ * kv_dim_; }
  int64_t n_ctx_;
  int64_t kv_dim_;
  AlignedBuffer keys_;
  AlignedBuffer values_;
};

}  // namespace fab::model
