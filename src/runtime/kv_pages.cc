#include "runtime/kv_pages.h"

#include <cstring>
#include <string>

#include "base/check.h"

namespace fab::runtime {
namespace {

size_t ElementBytes(KvDType dtype) {
  switch (dtype) {
    case KvDType::kF16: return 2;
    case KvDType::kF32: return 4;
    case KvDType::kQ8_0: return 1;
  }
  return 4;
}

// Scale bytes per element: one float32 per kQ8GroupSize values for Q8_0.
size_t ScaleBytesPerGroup(KvDType dtype) { return dtype == KvDType::kQ8_0 ? sizeof(float) : 0; }

}  // namespace

const char* KvDTypeName(KvDType dtype) {
  switch (dtype) {
    case KvDType::kF16: return "f16";
    case KvDType::kF32: return "f32";
    case KvDType::kQ8_0: return "q8_0";
  }
  return "unknown";
}

size_t KvPages::BytesPerToken(const KvPagesShape& shape, KvDType dtype) {
  const size_t row_bytes = static_cast<size_t>(shape.head_dim) * ElementBytes(dtype) +
                           static_cast<size_t>(shape.head_dim / kQ8GroupSize) * ScaleBytesPerGroup(dtype);
  return 2 * static_cast<size_t>(shape.n_layer) * static_cast<size_t>(shape.n_head_kv) * row_bytes;
}

StatusOr<KvPages> KvPages::Create(const KvPagesShape& shape, KvDType dtype) {
  if (shape.n_blocks <= 0 || shape.block_size <= 0 || shape.n_layer <= 0 || shape.n_head_kv <= 0 ||
      shape.head_dim <= 0) {
    return InvalidArgumentError("KV pages need positive n_blocks, block_size, n_layer, n_head_kv and head_dim");
  }
  // Each factor is bounded before multiplying so the product cannot overflow.
  constexpr int64_t kMaxFactor = kMaxDimension;
  if (shape.n_blocks > kMaxFactor || shape.block_size > kMaxFactor || shape.n_layer > kMaxFactor ||
      shape.n_head_kv > kMaxFactor || shape.head_dim > kMaxFactor || shape.kv_dim() > kMaxFactor) {
    return InvalidArgumentError("KV pages shape is out of range");
  }
  if (dtype == KvDType::kQ8_0 && shape.head_dim % kQ8GroupSize != 0) {
    return InvalidArgumentError("q8_0 KV pages need a head_dim that is a multiple of " +
                                std::to_string(kQ8GroupSize) + ", not " + std::to_string(shape.head_dim));
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
    : shape_(shape), dtype_(dtype), element_bytes_(ElementBytes(dtype)), codec_(&ActiveKvCodec()) {
  const size_t n_slots_total = static_cast<size_t>(shape.n_layer) * static_cast<size_t>(shape.n_blocks) *
                               static_cast<size_t>(shape.n_head_kv) * static_cast<size_t>(shape.block_size);
  const size_t tensor_bytes = n_slots_total * static_cast<size_t>(shape.head_dim) * element_bytes_;
  keys_ = AlignedBuffer(tensor_bytes);
  values_ = AlignedBuffer(tensor_bytes);
  if (dtype == KvDType::kQ8_0) {
    const size_t scale_bytes = n_slots_total * static_cast<size_t>(shape.head_dim / kQ8GroupSize) * sizeof(float);
    key_scales_ = AlignedBuffer(scale_bytes);
    value_scales_ = AlignedBuffer(scale_bytes);
  }
}

int64_t KvPages::Offset(int64_t layer_idx, BlockId block, int64_t kv_head, int32_t slot) const {
  FAB_CHECK(layer_idx >= 0 && layer_idx < shape_.n_layer) << "layer " << layer_idx;
  FAB_CHECK(block >= 0 && block < shape_.n_blocks) << "block " << block;
  FAB_CHECK(kv_head >= 0 && kv_head < shape_.n_head_kv) << "kv head " << kv_head;
  FAB_CHECK(slot >= 0 && slot < shape_.block_size) << "slot " << slot;
  return (((layer_idx * shape_.n_blocks + block) * shape_.n_head_kv + kv_head) * shape_.block_size + slot) *
         shape_.head_dim;
}

void KvPages::WriteHeads(AlignedBuffer& tensor, AlignedBuffer& scales, int64_t layer_idx, BlockId block,
                         int32_t slot, const float* rows) {
  const int64_t head_dim = shape_.head_dim;
  for (int64_t head = 0; head < shape_.n_head_kv; ++head) {
    const int64_t offset = Offset(layer_idx, block, head, slot);
    uint8_t* dst = tensor.data() + offset * static_cast<int64_t>(element_bytes_);
    const float* src = rows + head * head_dim;
    switch (dtype_) {
      case KvDType::kF16: codec_->f32_to_f16(src, reinterpret_cast<uint16_t*>(dst), head_dim); break;
      case KvDType::kF32: std::memcpy(dst, src, static_cast<size_t>(head_dim) * sizeof(float)); break;
      case KvDType::kQ8_0:
        QuantizeQ8Groups(src, reinterpret_cast<int8_t*>(dst), scales.as<float>() + offset / kQ8GroupSize, head_dim);
        break;
    }
  }
}

void KvPages::Write(int64_t layer_idx, BlockId block, int32_t slot, const float* k, const float* v) {
  WriteHeads(keys_, key_scales_, layer_idx, block, slot, k);
  WriteHeads(values_, value_scales_, layer_idx, block, slot, v);
}

void KvPages::ReadRun(const AlignedBuffer& tensor, const AlignedBuffer& scales, int64_t layer_idx,
                      BlockId block, int64_t kv_head, int32_t slot_begin, int32_t n_slots,
                      float* out) const {
  FAB_CHECK(n_slots >= 0 && slot_begin + n_slots <= shape_.block_size) << "slots past the block";
  if (n_slots == 0) return;
  const int64_t offset = Offset(layer_idx, block, kv_head, slot_begin);
  const uint8_t* src = tensor.data() + offset * static_cast<int64_t>(element_bytes_);
  const int64_t n = static_cast<int64_t>(n_slots) * shape_.head_dim;
  switch (dtype_) {
    case KvDType::kF16: codec_->f16_to_f32(reinterpret_cast<const uint16_t*>(src), out, n); break;
    case KvDType::kF32: std::memcpy(out, src, static_cast<size_t>(n) * sizeof(float)); break;
    case KvDType::kQ8_0:
      codec_->q8_to_f32(reinterpret_cast<const int8_t*>(src), scales.as<float>() + offset / kQ8GroupSize, out, n);
      break;
  }
}

void KvPages::ReadKeys(int64_t layer_idx, BlockId block, int64_t kv_head, int32_t slot_begin,
                       int32_t n_slots, float* out) const {
  ReadRun(keys_, key_scales_, layer_idx, block, kv_head, slot_begin, n_slots, out);
}

void KvPages::ReadValues(int64_t layer_idx, BlockId block, int64_t kv_head, int32_t slot_begin,
                         int32_t n_slots, float* out) const {
  ReadRun(values_, value_scales_, layer_idx, block, kv_head, slot_begin, n_slots, out);
}

void KvPages::CopySlots(BlockId from, BlockId to, int32_t n_slots) {
  FAB_CHECK(n_slots >= 0 && n_slots <= shape_.block_size) << "copy of " << n_slots << " slots";
  if (n_slots == 0 || from == to) return;
  const size_t n_elements = static_cast<size_t>(n_slots) * static_cast<size_t>(shape_.head_dim);
  const std::pair<AlignedBuffer*, AlignedBuffer*> tensors[] = {{&keys_, &key_scales_}, {&values_, &value_scales_}};
  for (const auto& [tensor, scales] : tensors) {
    for (int64_t layer_idx = 0; layer_idx < shape_.n_layer; ++layer_idx) {
      for (int64_t head = 0; head < shape_.n_head_kv; ++head) {
        const int64_t to_offset = Offset(layer_idx, to, head, 0);
        const int64_t from_offset = Offset(layer_idx, from, head, 0);
        std::memcpy(tensor->data() + to_offset * static_cast<int64_t>(element_bytes_),
                    tensor->data() + from_offset * static_cast<int64_t>(element_bytes_), n_elements * element_bytes_);
        if (dtype_ != KvDType::kQ8_0) continue;
        std::memcpy(scales->as<float>() + to_offset / kQ8GroupSize, scales->as<float>() + from_offset / kQ8GroupSize,
                    n_elements / kQ8GroupSize * sizeof(float));
      }
    }
  }
}

}  // namespace fab::runtime
