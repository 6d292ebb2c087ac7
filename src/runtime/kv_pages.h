// KvPages: the key and value storage behind the KV cache's block ids. Holds
// n_blocks blocks of block_size token slots for every layer and KV head,
// allocated once (anonymous mapping: pages cost memory only once written).
// Layout per tensor (K, V): [n_layer][n_blocks][n_head_kv][block_size][head_dim]
// elements of F16 (default), F32 or Q8_0, so one KV head of one block is a
// contiguous [block_size, head_dim] run that attention converts in one go.
// Q8_0 stores int8 levels in that layout (a head_dim-byte row per token slot
// and KV head, so rows of 64 values stay 64-byte aligned) plus a parallel
// float32 scale tensor [n_layer][n_blocks][n_head_kv][block_size][head_dim / 32]:
// one scale per 32 values (kv_codec.h). Float32 scales cost 1/8 byte per
// value (f16 scales would save 1/16) and need no conversion when read.
// Not thread-safe for writes to the same slot; concurrent reads and writes of
// distinct slots are fine. Indices are programmer contracts (FAB_CHECK): the
// executor validates plans before touching pages.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/aligned_buffer.h"
#include "base/status.h"
#include "request/ids.h"
#include "runtime/kv_codec.h"

namespace fab::runtime {

enum class KvDType : uint8_t { kF16, kF32, kQ8_0 };
// "f16", "f32" or "q8_0".
const char* KvDTypeName(KvDType dtype);

struct KvPagesShape {
  int64_t n_blocks = 0;
  int32_t block_size = 0;
  int64_t n_layer = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;

  int64_t kv_dim() const { return n_head_kv * head_dim; }
};

class KvPages {
 public:
  // Largest pool we map (both tensors together); larger requests fail.
  static constexpr size_t kMaxBytes = size_t{1} << 40;
  // Largest n_blocks, block_size, n_layer, n_head_kv, head_dim or kv_dim.
  static constexpr int64_t kMaxDimension = int64_t{1} << 24;

  // InvalidArgument for a non-positive dimension, more than kMaxBytes, or
  // Q8_0 with a head_dim that is not a multiple of 32.
  static StatusOr<KvPages> Create(const KvPagesShape& shape, KvDType dtype = KvDType::kF16);

  // Bytes one token occupies over all layers (K and V, with Q8_0's scales).
  static size_t BytesPerToken(const KvPagesShape& shape, KvDType dtype);

  // Stores one token's keys and values of `layer_idx`, each [n_head_kv, head_dim]
  // float32, at `slot` of `block` (rounded to F16 or quantized to Q8_0).
  void Write(int64_t layer_idx, BlockId block, int32_t slot, const float* k, const float* v);

  // Converts slots [slot_begin, slot_begin + n_slots) of one KV head of a
  // block to float32, packed [n_slots, head_dim].
  void ReadKeys(int64_t layer_idx, BlockId block, int64_t kv_head, int32_t slot_begin, int32_t n_slots,
                float* out) const;
  void ReadValues(int64_t layer_idx, BlockId block, int64_t kv_head, int32_t slot_begin, int32_t n_slots,
                  float* out) const;

  // Copies slots [0, n_slots) of every layer and KV head from block `from` to
  // block `to` (a fork's copy of a partial last block, kvcache::ForkResult).
  void CopySlots(BlockId from, BlockId to, int32_t n_slots);

  const KvPagesShape& shape() const { return shape_; }
  KvDType dtype() const { return dtype_; }
  size_t n_bytes() const { return keys_.size() + values_.size() + key_scales_.size() + value_scales_.size(); }

 private:
  KvPages(const KvPagesShape& shape, KvDType dtype);
  // Element offset of (layer, block, head, slot, 0) in either tensor.
  int64_t Offset(int64_t layer_idx, BlockId block, int64_t kv_head, int32_t slot) const;
  void WriteHeads(AlignedBuffer& tensor, AlignedBuffer& scales, int64_t layer_idx, BlockId block,
                  int32_t slot, const float* rows);
  void ReadRun(const AlignedBuffer& tensor, const AlignedBuffer& scales, int64_t layer_idx, BlockId block,
               int64_t kv_head, int32_t slot_begin, int32_t n_slots, float* out) const;

  KvPagesShape shape_;
  KvDType dtype_;
  size_t element_bytes_;
  const KvCodec* codec_;
  AlignedBuffer keys_;
  AlignedBuffer values_;
  AlignedBuffer key_scales_;    // Q8_0 only: float32, one per kQ8GroupSize elements
  AlignedBuffer value_scales_;
};

}  // namespace fab::runtime
