#include "kvcache/block_table.h"

#include "base/check.h"

namespace fab::kvcache {

BlockTable::BlockTable(int32_t block_size, const BlockHash& root_hash)
    : block_size_(block_size), root_hash_(root_hash) {
  FAB_CHECK(block_size >= 1);
  partial_block_tokens_.reserve(static_cast<size_t>(block_size));
}

KvSlot BlockTable::SlotOf(int64_t position) const {
  FAB_CHECK(position >= 0 && position < n_tokens_) << "position " << position << " outside [0, " << n_tokens_ << ")";
  FAB_CHECK(position / block_size_ >= n_released_) << "position " << position << " is in a released block";
  return KvSlot{block_ids_[static_cast<size_t>(position / block_size_)],
                static_cast<int32_t>(position % block_size_)};
}

void BlockTable::AppendCachedBlock(BlockId block, const BlockHash& hash) {
  FAB_CHECK(n_tokens_ == n_tokens_committed_ && partial_block_tokens_.empty() &&
            n_tokens_ == int64_t{n_blocks()} * block_size_)
      << "cached blocks only extend a table of committed full blocks";
  block_ids_.push_back(block);
  full_block_hashes_.push_back(hash);
  n_tokens_ += block_size_;
  n_tokens_committed_ += block_size_;
}

void BlockTable::AppendEmptyBlock(BlockId block) { block_ids_.push_back(block); }

void BlockTable::AddTokenSlots(int64_t n) {
  FAB_CHECK(n >= 0 && n_tokens_ + n <= int64_t{n_blocks()} * block_size_)
      << n << " more slots do not fit in " << n_blocks() << " blocks holding " << n_tokens_;
  n_tokens_ += n;
}

std::optional<FullBlock> BlockTable::CommitToken(TokenId token, BlockHasher& hasher) {
  FAB_CHECK(n_tokens_committed_ < n_tokens_) << "committing a position without a slot";
  partial_block_tokens_.push_back(token);
  ++n_tokens_committed_;
  if (static_cast<int32_t>(partial_block_tokens_.size()) < block_size_) return std::nullopt;
  const BlockHash& parent = full_block_hashes_.empty() ? root_hash_ : full_block_hashes_.back();
  FullBlock full{block_ids_[full_block_hashes_.size()], hasher.ChainHash(parent, partial_block_tokens_)};
  full_block_hashes_.push_back(full.hash);
  partial_block_tokens_.clear();
  return full;
}

BlockTable BlockTable::CommittedPrefix() const {
  BlockTable prefix = *this;
  const int64_t n_blocks_committed = (n_tokens_committed_ + block_size_ - 1) / block_size_;
  prefix.block_ids_.resize(static_cast<size_t>(n_blocks_committed));
  prefix.n_tokens_ = n_tokens_committed_;
  return prefix;
}

BlockId BlockTable::ReleaseNextBlock() {
  FAB_CHECK(n_released_ + 1 < n_blocks()) << "the last block is never released";
  const BlockId block = block_ids_[static_cast<size_t>(n_released_)];
  block_ids_[static_cast<size_t>(n_released_++)] = kReleasedBlock;
  return block;
}

void BlockTable::ReplaceLastBlock(BlockId block) {
  FAB_CHECK(!block_ids_.empty());
  block_ids_.back() = block;
}

}  // namespace fab::kvcache
