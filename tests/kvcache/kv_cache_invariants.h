// CheckKvCacheInvariants: every structural invariant of a KvCacheManager,
// recomputed from its public views. Shared by the unit and property tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "kvcache/kv_cache_manager.h"

namespace fab::kvcache {

inline ::testing::AssertionResult CheckKvCacheInvariants(const KvCacheManager& cache) {
  const BlockPool& pool = cache.pool();
  const int32_t n_blocks = pool.n_blocks();
  const int32_t block_size = cache.block_size();
  auto fail = [](const std::string& what) { return ::testing::AssertionFailure() << what; };

  // Per-sequence tables; holders counts how many table entries name each block.
  std::vector<int32_t> holders(static_cast<size_t>(n_blocks), 0);
  for (const auto& [seq, table] : cache.sequences()) {
    const std::string name = "sequence " + std::to_string(seq) + ": ";
    const int64_t n_committed = table.n_tokens_committed();
    if (n_committed > table.n_tokens()) return fail(name + "more committed tokens than slots");
    if (table.n_blocks() != (table.n_tokens() + block_size - 1) / block_size) {
      return fail(name + std::to_string(table.n_blocks()) + " blocks for " + std::to_string(table.n_tokens()) +
                  " tokens");
    }
    if (static_cast<int64_t>(table.full_block_hashes().size()) != n_committed / block_size ||
        static_cast<int64_t>(table.partial_block_tokens().size()) != n_committed % block_size) {
      return fail(name + "hash chain or partial tokens disagree with the committed count");
    }
    for (int32_t block_idx = 0; block_idx < table.n_blocks(); ++block_idx) {
      const BlockId block = table.block_ids()[static_cast<size_t>(block_idx)];
      if ((block == kReleasedBlock) != (block_idx < table.n_released_blocks())) {
        return fail(name + "released entries are not exactly the leading n_released_blocks()");
      }
      if (block == kReleasedBlock) continue;
      if (block < 0 || block >= n_blocks) return fail(name + "block id out of range");
      ++holders[static_cast<size_t>(block)];
      const bool fully_committed = int64_t{block_idx + 1} * block_size <= n_committed;
      if (!fully_committed && pool.ref_count(block) != 1) {
        return fail(name + "block " + std::to_string(block) + " is being filled but shared");
      }
      const std::optional<BlockHash> cached = pool.cached_hash(block);
      if (cached && (!fully_committed || !(*cached == table.full_block_hashes()[static_cast<size_t>(block_idx)]))) {
        return fail(name + "block " + std::to_string(block) + " is cached under another prefix");
      }
    }
  }

  // Reference counts, the free list and its order.
  int32_t n_zero_refs = 0;
  int32_t n_cached_free = 0;
  for (BlockId block = 0; block < n_blocks; ++block) {
    if (pool.ref_count(block) != holders[static_cast<size_t>(block)]) {
      return fail("block " + std::to_string(block) + " has ref count " + std::to_string(pool.ref_count(block)) +
                  " but " + std::to_string(holders[static_cast<size_t>(block)]) + " holders");
    }
    if (pool.ref_count(block) == 0) ++n_zero_refs;
    if (pool.free_queue().Contains(block) != (pool.ref_count(block) == 0)) {
      return fail("block " + std::to_string(block) + " free-list membership disagrees with its ref count");
    }
    if (pool.ref_count(block) == 0 && pool.cached_hash(block)) ++n_cached_free;
  }
  if (pool.n_free() + pool.n_used() != n_blocks || pool.n_free() != n_zero_refs) {
    return fail("free + used != total, or free != blocks with no holder");
  }
  if (pool.n_cached_free() != n_cached_free) return fail("cached-free counter is off");
  const std::vector<BlockId> free_order = pool.free_queue().ToVector();
  if (static_cast<int32_t>(free_order.size()) != pool.n_free() ||
      std::set<BlockId>(free_order.begin(), free_order.end()).size() != free_order.size()) {
    return fail("the free list holds a block twice or has the wrong length");
  }
  bool seen_cached = false;
  for (BlockId block : free_order) {
    const bool cached = pool.cached_hash(block).has_value();
    if (seen_cached && !cached) return fail("an uncached free block waits behind a cached one");
    seen_cached = seen_cached || cached;
  }

  // The prefix index and the blocks' recorded hashes agree both ways.
  int32_t n_hashed_blocks = 0;
  for (BlockId block = 0; block < n_blocks; ++block) n_hashed_blocks += pool.cached_hash(block).has_value() ? 1 : 0;
  if (pool.index().size() != n_hashed_blocks) return fail("index size != number of hashed blocks");
  for (const auto& [hash, block] : pool.index().entries()) {
    const std::optional<BlockHash> recorded = pool.cached_hash(block);
    if (!recorded || !(*recorded == hash)) {
      return fail("indexed hash maps to block " + std::to_string(block) + " that records another hash");
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace fab::kvcache
