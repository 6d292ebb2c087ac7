#include "kvcache/free_block_queue.h"

#include "base/check.h"

namespace fab::kvcache {
namespace {

constexpr int32_t kNotQueued = -1;

}  // namespace

FreeBlockQueue::FreeBlockQueue(int32_t n_blocks)
    : n_blocks_(n_blocks), prev_(static_cast<size_t>(n_blocks) + 1, kNotQueued),
      next_(static_cast<size_t>(n_blocks) + 1, kNotQueued) {
  FAB_CHECK(n_blocks >= 0);
  const int32_t sentinel = n_blocks_;
  prev_[sentinel] = sentinel;
  next_[sentinel] = sentinel;
  for (BlockId block = 0; block < n_blocks_; ++block) PushBack(block);
}

void FreeBlockQueue::CheckId(BlockId block) const {
  FAB_CHECK(block >= 0 && block < n_blocks_) << "block id " << block << " outside [0, " << n_blocks_ << ")";
}

bool FreeBlockQueue::Contains(BlockId block) const {
  CheckId(block);
  return prev_[block] != kNotQueued;
}

BlockId FreeBlockQueue::front() const {
  FAB_CHECK(!empty()) << "front() of an empty free queue";
  return next_[n_blocks_];
}

void FreeBlockQueue::InsertAfter(int32_t node, BlockId block) {
  FAB_CHECK(!Contains(block)) << "block " << block << " is already free";
  const int32_t after = next_[node];
  prev_[block] = node;
  next_[block] = after;
  next_[node] = block;
  prev_[after] = block;
  ++size_;
}

void FreeBlockQueue::PushBack(BlockId block) { InsertAfter(prev_[n_blocks_], block); }

void FreeBlockQueue::PushFront(BlockId block) { InsertAfter(n_blocks_, block); }

BlockId FreeBlockQueue::PopFront() {
  const BlockId block = front();
  Remove(block);
  return block;
}

void FreeBlockQueue::Remove(BlockId block) {
  FAB_CHECK(Contains(block)) << "block " << block << " is not free";
  next_[prev_[block]] = next_[block];
  prev_[next_[block]] = prev_[block];
  prev_[block] = kNotQueued;
  next_[block] = kNotQueued;
  --size_;
}

std::vector<BlockId> FreeBlockQueue::ToVector() const {
  std::vector<BlockId> blocks;
  blocks.reserve(static_cast<size_t>(size_));
  for (int32_t node = next_[n_blocks_]; node != n_blocks_; node = next_[node]) blocks.push_back(node);
  return blocks;
}

}  // namespace fab::kvcache
