// FreeBlockQueue: the free blocks of a BlockPool in eviction order, front
// first. An intrusive doubly linked list over block ids, so that taking a
// cached block back out of the middle (a prefix hit on a freed block) is
// O(1), as are push and pop. Memory: two int32 per block, allocated once.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "request/ids.h"

namespace fab::kvcache {

class FreeBlockQueue {
 public:
  // Starts holding every block 0..n_blocks-1 in increasing order.
  explicit FreeBlockQueue(int32_t n_blocks);

  int32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool Contains(BlockId block) const;
  BlockId front() const;  // requires !empty()

  void PushBack(BlockId block);   // requires !Contains(block)
  void PushFront(BlockId block);  // requires !Contains(block)
  BlockId PopFront();             // requires !empty()
  void Remove(BlockId block);     // requires Contains(block)

  // Front to back; O(size). For tests and debugging.
  std::vector<BlockId> ToVector() const;

 private:
  void CheckId(BlockId block) const;
  void InsertAfter(int32_t node, BlockId block);

  int32_t n_blocks_;
  int32_t size_ = 0;
  // Node n_blocks_ is the sentinel; prev_[b] == kNotQueued when b is absent.
  std::vector<int32_t> prev_;
  std::vector<int32_t> next_;
};

}  // namespace fab::kvcache
