#include "tokenizer/merge_table.h"

#include "base/check.h"

namespace fab::tokenizer_internal {

MergeTable::MergeTable(size_t capacity) : capacity_(capacity) {
  size_t n_slots = 16;
  while (n_slots * 3 < capacity * 4) n_slots *= 2;
  slots_.assign(n_slots, Slot{kEmptyKey, Merge{0, -1}});
  mask_ = n_slots - 1;
}

uint64_t MergeTable::Key(TokenId left, TokenId right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
         static_cast<uint32_t>(right);
}

size_t MergeTable::FirstSlot(uint64_t key) const {
  uint64_t hash = key * 0x9E3779B97F4A7C15ull;
  hash ^= hash >> 31;
  return static_cast<size_t>(hash) & mask_;
}

void MergeTable::Insert(TokenId left, TokenId right, Merge merge) {
  FAB_CHECK(left >= 0 && right >= 0) << "MergeTable ids must be valid";
  const uint64_t key = Key(left, right);
  for (size_t index = FirstSlot(key);; index = (index + 1) & mask_) {
    Slot& slot = slots_[index];
    if (slot.key == key) {
      slot.merge = merge;
      return;
    }
    if (slot.key == kEmptyKey) {
      FAB_CHECK(n_filled_ < capacity_) << "MergeTable over its capacity";
      ++n_filled_;
      slot = Slot{key, merge};
      return;
    }
  }
}

const MergeTable::Merge* MergeTable::Find(TokenId left, TokenId right) const {
  if (left < 0 || right < 0) return nullptr;
  const uint64_t key = Key(left, right);
  for (size_t index = FirstSlot(key);; index = (index + 1) & mask_) {
    const Slot& slot = slots_[index];
    if (slot.key == key) return &slot.merge;
    if (slot.key == kEmptyKey) return nullptr;
  }
}

}  // namespace fab::tokenizer_internal
