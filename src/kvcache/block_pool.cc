#include "kvcache/block_pool.h"

#include "base/check.h"

namespace fab::kvcache {
namespace {

// Runs before any member allocates.
int32_t CheckedBlockCount(int32_t n_blocks) {
  FAB_CHECK(n_blocks >= 1 && n_blocks <= BlockPool::kMaxBlocks)
      << "n_blocks " << n_blocks << " outside [1, " << BlockPool::kMaxBlocks << "]";
  return n_blocks;
}

}  // namespace

BlockPool::BlockPool(int32_t n_blocks)
    : n_blocks_(CheckedBlockCount(n_blocks)), blocks_(static_cast<size_t>(n_blocks_)), free_queue_(n_blocks_),
      index_(n_blocks_) {}

BlockPool::BlockState& BlockPool::State(BlockId block) {
  FAB_CHECK(block >= 0 && block < n_blocks_) << "block id " << block << " outside [0, " << n_blocks_ << ")";
  return blocks_[static_cast<size_t>(block)];
}

const BlockPool::BlockState& BlockPool::State(BlockId block) const {
  FAB_CHECK(block >= 0 && block < n_blocks_) << "block id " << block << " outside [0, " << n_blocks_ << ")";
  return blocks_[static_cast<size_t>(block)];
}

std::optional<BlockId> BlockPool::Allocate() {
  if (free_queue_.empty()) return std::nullopt;
  const BlockId block = free_queue_.PopFront();
  BlockState& state = State(block);
  FAB_CHECK(state.ref_count == 0);
  if (state.has_hash) {
    FAB_CHECK(index_.Erase(state.hash, block)) << "cached block " << block << " missing from the index";
    state.has_hash = false;
    --n_cached_free_;
  }
  state.ref_count = 1;
  return block;
}

void BlockPool::Retain(BlockId block) {
  BlockState& state = State(block);
  if (state.ref_count == 0) {
    FAB_CHECK(state.has_hash) << "retaining free block " << block << " that holds no cached prefix";
    free_queue_.Remove(block);
    --n_cached_free_;
  }
  ++state.ref_count;
}

void BlockPool::Release(BlockId block) {
  BlockState& state = State(block);
  FAB_CHECK(state.ref_count > 0) << "releasing free block " << block;
  if (--state.ref_count > 0) return;
  if (state.has_hash) {
    free_queue_.PushBack(block);
    ++n_cached_free_;
  } else {
    free_queue_.PushFront(block);
  }
}

bool BlockPool::CacheFullBlock(BlockId block, const BlockHash& hash) {
  BlockState& state = State(block);
  FAB_CHECK(state.ref_count > 0) << "caching free block " << block;
  if (state.has_hash) return false;
  if (!index_.Insert(hash, block)) return false;
  state.has_hash = true;
  state.hash = hash;
  return true;
}

int32_t BlockPool::ref_count(BlockId block) const { return State(block).ref_count; }

std::optional<BlockHash> BlockPool::cached_hash(BlockId block) const {
  const BlockState& state = State(block);
  if (!state.has_hash) return std::nullopt;
  return state.hash;
}

std::vector<BlockHash> BlockPool::CachedHashes(size_t max) const {
  std::vector<BlockHash> hashes;
  for (const BlockState& state : blocks_) {
    if (hashes.size() >= max) return hashes;
    if (state.ref_count > 0 && state.has_hash) hashes.push_back(state.hash);
  }
  const std::vector<BlockId> free_blocks = free_queue_.ToVector();
  for (auto it = free_blocks.rbegin(); it != free_blocks.rend() && hashes.size() < max; ++it) {
    const BlockState& state = State(*it);
    if (state.has_hash) hashes.push_back(state.hash);
  }
  return hashes;
}

int64_t BlockPool::n_cached() const {
  int64_t n = 0;
  for (const BlockState& state : blocks_) n += state.has_hash ? 1 : 0;
  return n;
}

}  // namespace fab::kvcache
