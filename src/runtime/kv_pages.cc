#include "runtime/kv_pages.h"

#include <cstring>
#include <string>
#include <vector>

#include "base/check.h"
#include "kernels/quantize.h"
#include "tensor/dtype.h"

namespace fab::runtime {
namespace {

// Every binary16 value as float32 (256 KiB, built once from the exact
// kernels::Fp16ToFp32): attention converts whole runs of keys per step, and
// a table lookup beats the scalar bit manipulation severalfold.
const float* Fp16Table() {
  static const std::vector<float> table = [] {
    std::vector<float> values(size_t{1} << 16);
    for (size_t bits = 0; bits < values.size(); ++bits) values[bits] = kernels::Fp16ToFp32(static_cast<uint16_t>(bits));
    return values;
  }();
  return table.data();
}

void Fp16RunToFp32(const uint8_t* src, float* out, int64_t n) {
  const float* table = Fp16Table();
  for (int64_t i = 0; i < n; ++i) {
    uint16_t bits;
    std::memcpy(&bits, src + 2 * i, sizeof(bits));
    out[i] = table[bits];
  }
}

}  // namespace

const char* KvDTypeName(KvDType dtype) { return dtype == KvDType::kF16 ? "f16" : "f32"; }

size_t KvPages::BytesPerToken(const KvPagesShape& shape, KvDType dtype) {
  const size_t element_bytes = dtype == KvDType::kF16 ? 2 : 4;
  return 2 * static_cast<size_t>(shape.n_layer) * static_cast<size_t>(shape.kv_dim()) * element_bytes;
}

StatusOr<KvPages> KvPages::Create(const KvPagesShape& shape, KvDType dtype) {
  if (shape.n_blocks <= 0 || shape.block_size <= 0 || shape.n_layer <= 0 || shape.n_head_kv <= 0 ||
      shape.head_dim <= 0) {
    return InvalidArgumentError("KV pages need positive n_blocks, block_size, n_layer, n_head_kv and head_dim");
  }
  // Each factor is bounded before multiplying so the product cannot overflow.
  constexpr int64_t kMaxFactor = int64_t{1} << 24;
  if (shape.n_blocks > kMaxFactor || shape.block_size > kMaxFactor || shape.n_layer > kMaxFactor ||
      shape.kv_dim() > kMaxFactor) {
    return InvalidArgumentError("KV pages shape is out of range");
  }
  const double bytes = static_cast<double>(BytesPerToken(shape, dtype)) * static_cast<double>(shape.n_blocks) *
                       static_cast<double>(shape.block_size);
  if (bytes > static_cast<double>(kMaxBytes)) {
    return InvalidArgumentError("KV pages of " + std::to_string(bytes) + " bytes exceed the cap of " +
                                std::to_string(kMaxBytes));
  }
  return KvPages(shape, dtype);
}

KvPages::KvPages(const KvPagesShape& shape, KvDType dtype)
    : shape_(shape), dtype_(dtype), element_bytes_(dtype == KvDType::kF16 ? 2 : 4) {
  const size_t tensor_bytes = BytesPerToken(shape, dtype) / 2 * static_cast<size_t>(shape.n_blocks) *
                              static_cast<size_t>(shape.block_size);
  keys_ = AlignedBuffer(tensor_bytes);
  values_ = AlignedBuffer(tensor_bytes);
}

int64_t KvPages::Offset(int64_t layer_idx, kvcache::BlockId block, int64_t kv_head, int32_t slot) const {
  FAB_CHECK(layer_idx >= 0 && layer_idx < shape_.n_layer) << "layer " << layer_idx;
  FAB_CHECK(block >= 0 && block < shape_.n_blocks) << "block " << block;
  FAB_CHECK(kv_head >= 0 && kv_head < shape_.n_head_kv) << "kv head " << kv_head;
  FAB_CHECK(slot >= 0 && slot < shape_.block_size) << "slot " << slot;
  return (((layer_idx * shape_.n_blocks + block) * shape_.n_head_kv + kv_head) * shape_.block_size + slot) *
         shape_.head_dim;
}

void KvPages::WriteHeads(AlignedBuffer& tensor, int64_t layer_idx, kvcache::BlockId block, int32_t slot,
                         const float* rows) {
  for (int64_t head = 0; head < shape_.n_head_kv; ++head) {
    uint8_t* dst = tensor.data() + Offset(layer_idx, block, head, slot) * element_bytes_;
    const float* src = rows + head * shape_.head_dim;
    if (dtype_ == KvDType::kF16) {
      kernels::QuantizeRow(DType::kF16, src, dst, shape_.head_dim);
    } else {
      std::memcpy(dst, src, static_cast<size_t>(shape_.head_dim) * sizeof(float));
    }
  }
}

void KvPages::Write(int64_t layer_idx, kvcache::BlockId block, int32_t slot, const float* k, const float* v) {
  WriteHeads(keys_, layer_idx, block, slot, k);
  WriteHeads(values_, layer_idx, block, slot, v);
}

void KvPages::ReadRun(const AlignedBuffer& tensor, int64_t layer_idx, kvcache::BlockId block, int64_t kv_head,
                      int32_t slot_begin, int32_t n_slots, float* out) const {
  FAB_CHECK(n_slots >= 0 && slot_begin + n_slots <= shape_.block_size) << "slots past the block";
  if (n_slots == 0) return;
  const uint8_t* src = tensor.data() + Offset(layer_idx, block, kv_head, slot_begin) * element_bytes_;
  const int64_t n = static_cast<int64_t>(n_slots) * shape_.head_dim;
  if (dtype_ == KvDType::kF16) {
    Fp16RunToFp32(src, out, n);
  } else {
    std::memcpy(out, src, static_cast<size_t>(n) * sizeof(float));
  }
}

void KvPages::ReadKeys(int64_t layer_idx, kvcache::BlockId block, int64_t kv_head, int32_t slot_begin,
                       int32_t n_slots, float* out) const {
  ReadRun(keys_, layer_idx, block, kv_head, slot_begin, n_slots, out);
}

void KvPages::ReadValues(int64_t layer_idx, kvcache::BlockId block, int64_t kv_head, int32_t slot_begin,
                         int32_t n_slots, float* out) const {
  ReadRun(values_, layer_idx, block, kv_head, slot_begin, n_slots, out);
}

void KvPages::CopySlots(kvcache::BlockId from, kvcache::BlockId to, int32_t n_slots) {
  FAB_CHECK(n_slots >= 0 && n_slots <= shape_.block_size) << "copy of " << n_slots << " slots";
  if (n_slots == 0 || from == to) return;
  const size_t run_bytes = static_cast<size_t>(n_slots) * static_cast<size_t>(shape_.head_dim) * element_bytes_;
  for (AlignedBuffer* tensor : {&keys_, &values_}) {
    for (int64_t layer_idx = 0; layer_idx < shape_.n_layer; ++layer_idx) {
      for (int64_t head = 0; head < shape_.n_head_kv; ++head) {
        std::memcpy(tensor->data() + Offset(layer_idx, to, head, 0) * element_bytes_,
                    tensor->data() + Offset(layer_idx, from, head, 0) * element_bytes_, run_bytes);
      }
    }
  }
}

}  // namespace fab::runtime
