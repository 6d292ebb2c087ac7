// BlockTable: where one sequence's tokens live. Token position p sits in slot
// p % block_size of block block_ids()[p / block_size]. n_tokens() positions
// have a slot; the first n_tokens_committed() of them hold computed KV. Every
// committed full block has its chained prefix hash; the committed tokens of
// the block being filled are kept so it can be hashed once full (or copied by
// a fork). The table only records ids: reference counts are the BlockPool's
// (KvCacheManager keeps the two in step). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/types.h"
#include "kvcache/block_hash.h"
#include "request/ids.h"

namespace fab::kvcache {

// One token position's place in the KV pages.
struct KvSlot {
  BlockId block = 0;
  int32_t offset = 0;  // [0, block_size)
};

// A block that one CommitToken() call filled, with its chained hash.
struct FullBlock {
  BlockId block = 0;
  BlockHash hash;
};

class BlockTable {
 public:
  BlockTable(int32_t block_size, const BlockHash& root_hash);

  int32_t block_size() const { return block_size_; }
  std::span<const BlockId> block_ids() const { return block_ids_; }
  int32_t n_blocks() const { return static_cast<int32_t>(block_ids_.size()); }
  int64_t n_tokens() const { return n_tokens_; }
  int64_t n_tokens_committed() const { return n_tokens_committed_; }
  // One per committed full block, in order: [n_tokens_committed / block_size].
  std::span<const BlockHash> full_block_hashes() const { return full_block_hashes_; }
  // Committed tokens of the block being filled: [n_tokens_committed % block_size].
  std::span<const TokenId> partial_block_tokens() const { return partial_block_tokens_; }
  const BlockHash& root_hash() const { return root_hash_; }
  // Requires 0 <= position < n_tokens().
  KvSlot SlotOf(int64_t position) const;

  // Appends a cached full block (a prefix hit). Requires no partial block and
  // n_tokens() == n_tokens_committed().
  void AppendCachedBlock(BlockId block, const BlockHash& hash);
  // Appends an empty block for AddTokenSlots to fill.
  void AppendEmptyBlock(BlockId block);
  // Gives n more positions a slot; requires the blocks to cover them.
  void AddTokenSlots(int64_t n);
  // Marks the next slotted position computed with `token`. Returns the block
  // it completed, if it completed one.
  std::optional<FullBlock> CommitToken(TokenId token, BlockHasher& hasher);

  // A table holding only the committed positions (blocks past them dropped):
  // the start of a fork. Its partial block, if any, is still the parent's.
  BlockTable CommittedPrefix() const;
  // Replaces the last block id (a fork's private copy of the partial block).
  void ReplaceLastBlock(BlockId block);
  // Leading blocks given back to the pool (sliding window): block_ids()[i]
  // is kReleasedBlock for i < n_released_blocks().
  int32_t n_released_blocks() const { return n_released_; }
  // Marks the first unreleased block released and returns its id; requires
  // one that is not the last block.
  BlockId ReleaseNextBlock();

 private:
  int32_t block_size_;
  BlockHash root_hash_;
  int64_t n_tokens_ = 0;
  int64_t n_tokens_committed_ = 0;
  int32_t n_released_ = 0;
  std::vector<BlockId> block_ids_;
  std::vector<BlockHash> full_block_hashes_;
  std::vector<TokenId> partial_block_tokens_;
};

}  // namespace fab::kvcache
