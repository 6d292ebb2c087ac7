#include "tokenizer/piece_table.h"

#include <cstring>

#include "base/check.h"

namespace fab::tokenizer_internal {
namespace {

constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;

uint64_t Mix(uint64_t value) {
  value ^= value >> 32;
  value *= kMultiplier;
  value ^= value >> 29;
  return value;
}

}  // namespace

PieceTable::PieceTable(const std::vector<std::string>& tokens, size_t capacity_hint)
    : tokens_(tokens) {
  size_t n_slots = 16;
  while (n_slots < 2 * capacity_hint) n_slots *= 2;
  slots_.assign(n_slots, Slot{0, -1});
  mask_ = n_slots - 1;
}

uint64_t PieceTable::Hash(std::string_view text) {
  uint64_t hash = text.size() * kMultiplier;
  size_t offset = 0;
  for (; offset + 8 <= text.size(); offset += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + offset, 8);
    hash = Mix(hash ^ word);
  }
  if (offset < text.size()) {
    uint64_t word = 0;
    std::memcpy(&word, text.data() + offset, text.size() - offset);
    hash = Mix(hash ^ word);
  }
  return Mix(hash + 1);
}

void PieceTable::Insert(TokenId id) {
  const std::string_view text = tokens_[id];
  const uint64_t hash = Hash(text);
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (uint64_t index = hash & mask_;; index = (index + 1) & mask_) {
    Slot& slot = slots_[index];
    if (slot.id == -1) {
      FAB_CHECK(2 * (n_filled_ + 1) <= slots_.size()) << "PieceTable over its capacity hint";
      ++n_filled_;
      slot = Slot{tag, id};
      return;
    }
    if (slot.tag == tag && tokens_[slot.id] == text) {
      slot.id = id;
      return;
    }
  }
}

TokenId PieceTable::Find(std::string_view text) const {
  const uint64_t hash = Hash(text);
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (uint64_t index = hash & mask_;; index = (index + 1) & mask_) {
    const Slot& slot = slots_[index];
    if (slot.id == -1) return -1;
    if (slot.tag == tag && tokens_[slot.id] == text) return slot.id;
  }
}

}  // namespace fab::tokenizer_internal
