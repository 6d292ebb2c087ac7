// KvCacheManager: the KV cache's bookkeeping for every live sequence: a
// BlockPool, one BlockTable per sequence, and prefix caching (a new sequence
// whose prompt starts like an earlier one shares those full blocks). Running
// out of blocks is normal scheduling information, returned as nullopt; ids
// and counts come from the engine, so their misuse is a FAB_CHECK. Only
// Create() sees outside values. Not thread-safe: the engine's step-loop
// thread owns it. Typical step, per scheduled sequence:
//   AddSequence (once) → TryAllocate(k) → runtime writes KV → CommitTokens(k tokens)
// and Free on finish, cancel or preemption (recompute: AddSequence again later).
// With KvCacheConfig::sliding_window, CommitTokens also gives back the blocks
// the sequence will not attend again.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>

#include "base/status.h"
#include "base/types.h"
#include "kvcache/block_hash.h"
#include "kvcache/block_pool.h"
#include "kvcache/block_table.h"
#include "request/ids.h"
#include "kvcache/kv_cache_config.h"

namespace fab::kvcache {

// What a prompt would reuse from the prefix cache.
struct PrefixMatch {
  int64_t n_tokens = 0;  // leading prompt tokens already cached (whole blocks)
  int32_t n_blocks = 0;  // n_tokens / block_size
  // Of those blocks, how many sit in the free list now: adding the sequence
  // takes them out of n_free_blocks() without allocating.
  int32_t n_blocks_free = 0;
};

// Positions [first_position, first_position + n_tokens) of a sequence that
// TryAllocate gave slots to.
struct AllocatedSlots {
  int64_t first_position = 0;
  int64_t n_tokens = 0;
  int32_t n_new_blocks = 0;
};

// Slots [0, n_slots) of block src_block that the runtime must copy into
// dst_block before the child of a fork runs.
struct BlockCopy {
  BlockId src_block = 0;
  BlockId dst_block = 0;
  int32_t n_slots = 0;
};

struct ForkResult {
  std::optional<BlockCopy> copy;  // none when the parent had no partial block
};

// Counters for metrics; a snapshot.
struct KvCacheStats {
  int32_t block_size = 0;
  int32_t n_blocks = 0;
  int32_t n_blocks_used = 0;
  int32_t n_blocks_free = 0;
  int32_t n_blocks_cached_free = 0;  // free but still reusable by a prefix hit
  int32_t n_blocks_indexed = 0;      // used or free, findable by prefix hash
  int32_t n_sequences = 0;
  double utilization = 0;  // n_blocks_used / n_blocks
};

class KvCacheManager {
 public:
  // InvalidArgument for sizes out of range (KvCacheConfig::Validate).
  static StatusOr<KvCacheManager> Create(const KvCacheConfig& config);

  // Cached leading blocks of `prompt` under `cache_salt`. At most
  // (prompt.size() - 1) tokens match, so at least one prompt token is left to
  // compute: the runtime needs the logits of the last prompt position.
  PrefixMatch MatchPrefix(std::span<const TokenId> prompt, uint64_t cache_salt = 0) const;
  // Starts sequence `seq` (not live) sharing the blocks MatchPrefix finds;
  // returns the number of prompt tokens that are thereby committed. The rest
  // of the prompt goes through TryAllocate and CommitTokens.
  int64_t AddSequence(SeqId seq, std::span<const TokenId> prompt, uint64_t cache_salt = 0);
  // Gives n_new_tokens more positions of `seq` a slot, allocating blocks all
  // or nothing; nullopt (and no change) when they do not fit.
  std::optional<AllocatedSlots> TryAllocate(SeqId seq, int64_t n_new_tokens);
  // Records that the next tokens.size() slotted positions of `seq` now hold
  // the KV of `tokens`; blocks this fills are hashed and indexed.
  void CommitTokens(SeqId seq, std::span<const TokenId> tokens);
  // Starts `child` (not live) as a copy of the committed part of `parent`:
  // full blocks are shared, a partial last block is copied to a new block
  // (the runtime copies the slots named in the result). Slots of `parent`
  // past its committed tokens are not inherited. nullopt (and no change)
  // when no block is free for the copy.
  std::optional<ForkResult> Fork(SeqId parent, SeqId child);
  // Ends `seq` (finished, cancelled or preempted) and releases its blocks,
  // last block first, so that its hashed blocks stay cached with the tail
  // of the prompt evicted before its head.
  void Free(SeqId seq);

  bool HasSequence(SeqId seq) const { return sequences_.contains(seq); }
  // Requires HasSequence(seq). Valid until the next mutating call.
  const BlockTable& table(SeqId seq) const;
  std::span<const BlockId> block_ids(SeqId seq) const { return table(seq).block_ids(); }

  int32_t block_size() const { return block_size_; }
  int64_t capacity_tokens() const { return int64_t{pool_.n_blocks()} * block_size_; }
  int32_t n_blocks() const { return pool_.n_blocks(); }
  int32_t n_free_blocks() const { return pool_.n_free(); }
  int32_t n_cached_blocks() const { return pool_.n_cached_free(); }
  double utilization() const { return static_cast<double>(pool_.n_used()) / pool_.n_blocks(); }
  KvCacheStats Stats() const;

  // For invariant checks and tests.
  const BlockPool& pool() const { return pool_; }
  const std::unordered_map<SeqId, BlockTable>& sequences() const { return sequences_; }

 private:
  explicit KvCacheManager(const KvCacheConfig& config);
  // Calls on_cached_block(block, hash) for each leading full block of
  // `prompt` that is cached, stopping at the first miss (see MatchPrefix).
  template <typename OnCachedBlock>
  void WalkCachedPrefix(std::span<const TokenId> prompt, uint64_t cache_salt, OnCachedBlock on_cached_block) const;
  BlockTable& MutableTable(SeqId seq);
  // With a sliding window: gives back the leading blocks of `table` that its
  // next position no longer attends (never its last block).
  void ReleaseOutOfWindow(BlockTable& table);

  int32_t block_size_;
  int64_t sliding_window_;
  BlockPool pool_;
  mutable BlockHasher hasher_;  // scratch state only; MatchPrefix is logically const
  std::unordered_map<SeqId, BlockTable> sequences_;
};

}  // namespace fab::kvcache
