// BlockPool: reference counts and the free list for n_blocks KV blocks (the
// pages themselves live in runtime/). A block is used (ref_count > 0) or free.
// Free blocks wait in eviction order: blocks that hold no cached prefix go to
// the front (nothing is lost by reusing them), blocks that do go to the back
// in order of release (LRU). A free block keeps its prefix hash, and so stays
// findable through the PrefixIndex, until Allocate() hands it out again.
// Ids from callers are internal (runtime/scheduler), so misuse is a FAB_CHECK.
// Not thread-safe: the engine's step-loop thread owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kvcache/block_hash.h"
#include "kvcache/free_block_queue.h"
#include "request/ids.h"
#include "kvcache/prefix_index.h"

namespace fab::kvcache {

class BlockPool {
 public:
  // Upper bound on n_blocks, so a bad configuration cannot allocate absurdly
  // (bookkeeping costs up to ~100 bytes per block, index included: 100 MB at
  // most). Validate before constructing (KvCacheConfig::Validate does).
  static constexpr int32_t kMaxBlocks = int32_t{1} << 20;

  // All blocks start free, unhashed, in id order. Requires 1 <= n_blocks <= kMaxBlocks.
  explicit BlockPool(int32_t n_blocks);

  int32_t n_blocks() const { return n_blocks_; }
  int32_t n_free() const { return free_queue_.size(); }
  int32_t n_used() const { return n_blocks_ - n_free(); }
  // Free blocks that still hold an indexed prefix (reusable on a hit).
  int32_t n_cached_free() const { return n_cached_free_; }
  // Blocks, used or free, that are indexed by their prefix hash.
  int32_t n_indexed() const { return index_.size(); }

  // Takes the front of the free list (dropping its cached hash, if any) with
  // ref_count 1; nullopt when no block is free.
  std::optional<BlockId> Allocate();
  // One more holder. A free block may only be retained if it holds a cached
  // prefix (a prefix hit): it leaves the free list.
  void Retain(BlockId block);
  // One holder fewer; at zero the block joins the free list (see above).
  void Release(BlockId block);

  // Records that used block `block` is full and holds the prefix `hash`, and
  // indexes it. Returns false, leaving the block unhashed, when another block
  // already holds that prefix (both computed it) or the block is already hashed.
  bool CacheFullBlock(BlockId block, const BlockHash& hash);
  // The block holding prefix `hash`, used or free.
  std::optional<BlockId> FindCached(const BlockHash& hash) const { return index_.Find(hash); }

  int32_t ref_count(BlockId block) const;
  // The hash under which `block` is indexed, if any.
  std::optional<BlockHash> cached_hash(BlockId block) const;

  // The prefix hashes the pool holds, most useful first: blocks in use, then
  // free ones from the most to the least recently released (the reverse of
  // eviction order); at most `max`. O(n_blocks).
  std::vector<BlockHash> CachedHashes(size_t max) const;
  // How many blocks, used or free, hold a prefix hash.
  int64_t n_cached() const;

  const FreeBlockQueue& free_queue() const { return free_queue_; }
  const PrefixIndex& index() const { return index_; }

 private:
  struct BlockState {
    int32_t ref_count = 0;
    bool has_hash = false;
    BlockHash hash;
  };
  BlockState& State(BlockId block);
  const BlockState& State(BlockId block) const;

  int32_t n_blocks_;
  int32_t n_cached_free_ = 0;
  std::vector<BlockState> blocks_;
  FreeBlockQueue free_queue_;
  PrefixIndex index_;
};

}  // namespace fab::kvcache
