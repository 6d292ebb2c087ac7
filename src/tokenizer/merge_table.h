// MergeTable: the merge rules of a byte-level BPE vocabulary keyed by the
// ids of their two halves — (left id, right id) → (rank, id of the merged
// token) — as an open-addressing hash table of 16-byte slots, so the merge
// loop does one cache-line probe per candidate pair. Insert during
// construction only; Find is const and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/types.h"

namespace fab::tokenizer_internal {

class MergeTable {
 public:
  struct Merge {
    int32_t rank;     // position in the merge list: lower merges first
    TokenId result;   // the token the pair becomes
  };

  // `capacity` is the most pairs that will be inserted.
  explicit MergeTable(size_t capacity);

  // Adds a rule; a pair inserted again takes the later rule (as Hugging
  // Face's rank map does). Ids must be ≥ 0. At most `capacity` pairs (checked).
  void Insert(TokenId left, TokenId right, Merge merge);
  // The rule for the pair, or nullptr.
  const Merge* Find(TokenId left, TokenId right) const;
  size_t size() const { return n_filled_; }

 private:
  struct Slot {
    uint64_t key;  // kEmptyKey: free
    Merge merge;
  };
  static constexpr uint64_t kEmptyKey = ~uint64_t{0};
  static uint64_t Key(TokenId left, TokenId right);
  size_t FirstSlot(uint64_t key) const;

  std::vector<Slot> slots_;  // power-of-two size, at most 3/4 full
  size_t mask_;
  size_t capacity_;
  size_t n_filled_ = 0;
};

}  // namespace fab::tokenizer_internal
