#include "kvcache/kv_cache_manager.h"

#include <utility>

#include "base/check.h"

namespace fab::kvcache {

StatusOr<KvCacheManager> KvCacheManager::Create(const KvCacheConfig& config) {
  FAB_RETURN_IF_ERROR(config.Validate());
  return KvCacheManager(config);
}

KvCacheManager::KvCacheManager(const KvCacheConfig& config)
    : block_size_(config.block_size),
      sliding_window_(config.sliding_window),
      pool_(config.n_blocks()),
      hasher_(config.hash_seed) {}

BlockTable& KvCacheManager::MutableTable(SeqId seq) {
  auto it = sequences_.find(seq);
  FAB_CHECK(it != sequences_.end()) << "sequence " << seq << " is not live";
  return it->second;
}

const BlockTable& KvCacheManager::table(SeqId seq) const {
  auto it = sequences_.find(seq);
  FAB_CHECK(it != sequences_.end()) << "sequence " << seq << " is not live";
  return it->second;
}

template <typename OnCachedBlock>
void KvCacheManager::WalkCachedPrefix(std::span<const TokenId> prompt, uint64_t cache_salt,
                                      OnCachedBlock on_cached_block) const {
  if (prompt.empty()) return;
  const size_t block_size = static_cast<size_t>(block_size_);
  const size_t n_matchable_blocks = (prompt.size() - 1) / block_size;
  BlockHash hash = hasher_.RootHash(cache_salt);
  for (size_t block_idx = 0; block_idx < n_matchable_blocks; ++block_idx) {
    hash = hasher_.ChainHash(hash, prompt.subspan(block_idx * block_size, block_size));
    const std::optional<BlockId> block = pool_.FindCached(hash);
    if (!block) return;
    on_cached_block(*block, hash);
  }
}

PrefixMatch KvCacheManager::MatchPrefix(std::span<const TokenId> prompt, uint64_t cache_salt) const {
  PrefixMatch match;
  WalkCachedPrefix(prompt, cache_salt, [&](BlockId block, const BlockHash&) {
    ++match.n_blocks;
    if (pool_.ref_count(block) == 0) ++match.n_blocks_free;
  });
  match.n_tokens = int64_t{match.n_blocks} * block_size_;
  return match;
}

int64_t KvCacheManager::AddSequence(SeqId seq, std::span<const TokenId> prompt, uint64_t cache_salt) {
  FAB_CHECK(!sequences_.contains(seq)) << "sequence " << seq << " is already live";
  BlockTable& table = sequences_.emplace(seq, BlockTable(block_size_, hasher_.RootHash(cache_salt))).first->second;
  WalkCachedPrefix(prompt, cache_salt, [&](BlockId block, const BlockHash& hash) {
    pool_.Retain(block);
    table.AppendCachedBlock(block, hash);
  });
  return table.n_tokens_committed();
}

std::optional<AllocatedSlots> KvCacheManager::TryAllocate(SeqId seq, int64_t n_new_tokens) {
  FAB_CHECK(n_new_tokens >= 0) << "negative token count " << n_new_tokens;
  BlockTable& table = MutableTable(seq);
  if (n_new_tokens > capacity_tokens()) return std::nullopt;  // also keeps the sums below in range
  const int64_t n_tokens_after = table.n_tokens() + n_new_tokens;
  const int64_t n_blocks_after = (n_tokens_after + block_size_ - 1) / block_size_;
  const int64_t n_new_blocks = n_blocks_after - table.n_blocks();
  if (n_new_blocks > pool_.n_free()) return std::nullopt;
  for (int64_t i = 0; i < n_new_blocks; ++i) {
    const std::optional<BlockId> block = pool_.Allocate();
    FAB_CHECK(block.has_value());
    table.AppendEmptyBlock(*block);
  }
  AllocatedSlots slots{table.n_tokens(), n_new_tokens, static_cast<int32_t>(n_new_blocks)};
  table.AddTokenSlots(n_new_tokens);
  return slots;
}

void KvCacheManager::CommitTokens(SeqId seq, std::span<const TokenId> tokens) {
  BlockTable& table = MutableTable(seq);
  FAB_CHECK(table.n_tokens_committed() + static_cast<int64_t>(tokens.size()) <= table.n_tokens())
      << "committing " << tokens.size() << " tokens to sequence " << seq << " beyond its slots";
  for (TokenId token : tokens) {
    const std::optional<FullBlock> full = table.CommitToken(token, hasher_);
    if (!full) continue;
    FAB_CHECK(pool_.ref_count(full->block) == 1) << "a block being filled is shared";
    pool_.CacheFullBlock(full->block, full->hash);  // false: an equal block is already cached
  }
  ReleaseOutOfWindow(table);
}

void KvCacheManager::ReleaseOutOfWindow(BlockTable& table) {
  if (sliding_window_ <= 0) return;
  // The next position, n, attends [n + 1 - window, n]: whole blocks before
  // that are never read again by this sequence.
  const int64_t first_needed = table.n_tokens_committed() + 1 - sliding_window_;
  while (first_needed > 0 && int64_t{table.n_released_blocks() + 1} * block_size_ <= first_needed &&
         table.n_released_blocks() + 1 < table.n_blocks()) {
    pool_.Release(table.ReleaseNextBlock());
  }
}

std::optional<ForkResult> KvCacheManager::Fork(SeqId parent, SeqId child) {
  FAB_CHECK(!sequences_.contains(child)) << "sequence " << child << " is already live";
  const BlockTable& parent_table = table(parent);
  const int32_t n_partial_slots = static_cast<int32_t>(parent_table.partial_block_tokens().size());
  if (n_partial_slots > 0 && pool_.n_free() == 0) return std::nullopt;
  BlockTable child_table = parent_table.CommittedPrefix();
  const std::span<const BlockId> blocks = child_table.block_ids();
  const size_t n_shared_blocks = blocks.size() - (n_partial_slots > 0 ? 1 : 0);
  for (size_t block_idx = child_table.n_released_blocks(); block_idx < n_shared_blocks; ++block_idx) {
    pool_.Retain(blocks[block_idx]);
  }
  ForkResult result;
  if (n_partial_slots > 0) {
    const BlockCopy copy{blocks.back(), *pool_.Allocate(), n_partial_slots};
    child_table.ReplaceLastBlock(copy.dst_block);
    result.copy = copy;
  }
  sequences_.emplace(child, std::move(child_table));
  return result;
}

void KvCacheManager::Free(SeqId seq) {
  auto it = sequences_.find(seq);
  FAB_CHECK(it != sequences_.end()) << "sequence " << seq << " is not live";
  const std::span<const BlockId> blocks = it->second.block_ids().subspan(it->second.n_released_blocks());
  for (auto block = blocks.rbegin(); block != blocks.rend(); ++block) pool_.Release(*block);
  sequences_.erase(it);
}

KvCacheStats KvCacheManager::Stats() const {
  KvCacheStats stats;
  stats.block_size = block_size_;
  stats.n_blocks = pool_.n_blocks();
  stats.n_blocks_used = pool_.n_used();
  stats.n_blocks_free = pool_.n_free();
  stats.n_blocks_cached_free = pool_.n_cached_free();
  stats.n_blocks_indexed = pool_.n_indexed();
  stats.n_sequences = static_cast<int32_t>(sequences_.size());
  stats.utilization = utilization();
  return stats;
}

}  // namespace fab::kvcache
