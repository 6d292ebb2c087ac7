#include "kvcache/kv_cache_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <numeric>
#include <vector>

#include "kv_cache_invariants.h"

namespace fab::kvcache {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr int32_t kBlockSize = 4;

KvCacheManager MakeCache(int32_t n_blocks, int64_t sliding_window = 0) {
  KvCacheConfig config;
  config.block_size = kBlockSize;
  config.capacity_tokens = int64_t{n_blocks} * kBlockSize;
  config.sliding_window = sliding_window;
  StatusOr<KvCacheManager> cache = KvCacheManager::Create(config);
  FAB_CHECK(cache.ok()) << cache.status().ToString();
  return std::move(cache).value();
}

std::vector<TokenId> Tokens(int32_t n, TokenId first = 100) {
  std::vector<TokenId> tokens(static_cast<size_t>(n));
  std::iota(tokens.begin(), tokens.end(), first);
  return tokens;
}

// Adds `seq`, then gives the rest of its prompt slots and commits it, as an
// engine's prefill would. Returns the number of prompt tokens that were cached.
int64_t Prefill(KvCacheManager& cache, SeqId seq, const std::vector<TokenId>& prompt) {
  const int64_t n_cached = cache.AddSequence(seq, prompt);
  const int64_t n_rest = static_cast<int64_t>(prompt.size()) - n_cached;
  FAB_CHECK(cache.TryAllocate(seq, n_rest).has_value());
  cache.CommitTokens(seq, std::span<const TokenId>(prompt).subspan(static_cast<size_t>(n_cached)));
  return n_cached;
}

TEST(KvCacheManager, CreateRejectsAbsurdSizesWithoutAllocating) {
  KvCacheConfig config;
  config.block_size = 16;
  config.capacity_tokens = std::numeric_limits<int64_t>::max();
  StatusOr<KvCacheManager> cache = KvCacheManager::Create(config);
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.status().code(), StatusCode::kInvalidArgument);
  config.capacity_tokens = 100;
  config.block_size = 0;
  EXPECT_EQ(KvCacheManager::Create(config).status().code(), StatusCode::kInvalidArgument);
}

TEST(KvCacheManager, CapacityIsWholeBlocks) {
  KvCacheConfig config;
  config.block_size = 16;
  config.capacity_tokens = 100;
  StatusOr<KvCacheManager> cache = KvCacheManager::Create(config);
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ(cache->n_blocks(), 6);
  EXPECT_EQ(cache->capacity_tokens(), 96);
  EXPECT_EQ(cache->n_free_blocks(), 6);
  EXPECT_EQ(cache->utilization(), 0.0);
}

TEST(KvCacheManager, TryAllocateFillsTheLastBlockBeforeTakingAnother) {
  KvCacheManager cache = MakeCache(8);
  cache.AddSequence(1, {});
  const std::optional<AllocatedSlots> first = cache.TryAllocate(1, 3);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->first_position, 0);
  EXPECT_EQ(first->n_tokens, 3);
  EXPECT_EQ(first->n_new_blocks, 1);
  const std::optional<AllocatedSlots> second = cache.TryAllocate(1, 1);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->first_position, 3);
  EXPECT_EQ(second->n_new_blocks, 0);
  EXPECT_EQ(cache.TryAllocate(1, 5)->n_new_blocks, 2);
  EXPECT_EQ(cache.table(1).n_tokens(), 9);
  EXPECT_EQ(cache.block_ids(1).size(), 3u);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, TryAllocateIsAllOrNothing) {
  KvCacheManager cache = MakeCache(4);
  cache.AddSequence(1, {});
  cache.AddSequence(2, {});
  ASSERT_TRUE(cache.TryAllocate(1, 10).has_value());  // 3 blocks
  EXPECT_EQ(cache.TryAllocate(2, 5), std::nullopt);   // needs 2, 1 free
  EXPECT_EQ(cache.table(2).n_tokens(), 0);
  EXPECT_EQ(cache.block_ids(2).size(), 0u);
  EXPECT_EQ(cache.n_free_blocks(), 1);
  EXPECT_EQ(cache.TryAllocate(2, std::numeric_limits<int64_t>::max()), std::nullopt);
  EXPECT_TRUE(cache.TryAllocate(2, 4).has_value());
  EXPECT_EQ(cache.n_free_blocks(), 0);
  EXPECT_EQ(cache.utilization(), 1.0);
  EXPECT_TRUE(cache.TryAllocate(1, 2).has_value()) << "fits in the slack of its last block";
  EXPECT_EQ(cache.TryAllocate(1, 1), std::nullopt);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, SecondSequenceWithTheSamePromptAllocatesOnlyItsUnsharedPart) {
  KvCacheManager cache = MakeCache(16);
  const std::vector<TokenId> prompt = Tokens(3 * kBlockSize + 2);
  EXPECT_EQ(Prefill(cache, 1, prompt), 0);
  EXPECT_EQ(cache.n_free_blocks(), 12);

  const PrefixMatch match = cache.MatchPrefix(prompt);
  EXPECT_EQ(match.n_tokens, 3 * kBlockSize);
  EXPECT_EQ(match.n_blocks, 3);
  EXPECT_EQ(match.n_blocks_free, 0);
  EXPECT_EQ(Prefill(cache, 2, prompt), 3 * kBlockSize);
  EXPECT_EQ(cache.n_free_blocks(), 11) << "one new block for the 2 unshared tokens";
  const std::span<const BlockId> first = cache.block_ids(1);
  const std::span<const BlockId> second = cache.block_ids(2);
  EXPECT_THAT(second.first(3), ElementsAreArray(first.first(3)));
  EXPECT_NE(second[3], first[3]) << "a partial last block is never shared";
  EXPECT_EQ(cache.pool().ref_count(first[0]), 2);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, DifferentTokenInTheSecondBlockSharesOnlyTheFirst) {
  KvCacheManager cache = MakeCache(16);
  const std::vector<TokenId> prompt = Tokens(3 * kBlockSize + 1);
  Prefill(cache, 1, prompt);
  std::vector<TokenId> other = prompt;
  other[kBlockSize + 1] = 7;
  EXPECT_EQ(cache.MatchPrefix(other).n_blocks, 1);
  EXPECT_EQ(Prefill(cache, 2, other), kBlockSize);
  EXPECT_EQ(cache.block_ids(2)[0], cache.block_ids(1)[0]);
  EXPECT_NE(cache.block_ids(2)[1], cache.block_ids(1)[1]);
  EXPECT_NE(cache.block_ids(2)[2], cache.block_ids(1)[2]) << "later equal blocks follow a different prefix";
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, FullyCachedPromptStillLeavesItsLastTokenToCompute) {
  KvCacheManager cache = MakeCache(16);
  const std::vector<TokenId> prompt = Tokens(2 * kBlockSize);
  Prefill(cache, 1, prompt);
  EXPECT_EQ(cache.MatchPrefix(prompt).n_tokens, kBlockSize);
  EXPECT_EQ(cache.AddSequence(2, prompt), kBlockSize);
  const std::vector<TokenId> single = {prompt[0]};
  EXPECT_EQ(cache.MatchPrefix(single).n_tokens, 0);
  EXPECT_EQ(cache.MatchPrefix({}).n_tokens, 0);
}

TEST(KvCacheManager, DifferentCacheSaltsShareNothing) {
  KvCacheManager cache = MakeCache(16);
  const std::vector<TokenId> prompt = Tokens(2 * kBlockSize + 1);
  Prefill(cache, 1, prompt);
  EXPECT_EQ(cache.MatchPrefix(prompt, /*cache_salt=*/1).n_tokens, 0);
  EXPECT_EQ(cache.AddSequence(2, prompt, /*cache_salt=*/1), 0);
  EXPECT_EQ(cache.MatchPrefix(prompt, /*cache_salt=*/0).n_tokens, 2 * kBlockSize);
}

TEST(KvCacheManager, FreedPromptStaysCachedUntilItsBlocksAreReused) {
  KvCacheManager cache = MakeCache(4);
  const std::vector<TokenId> prompt = Tokens(2 * kBlockSize + 1);
  Prefill(cache, 1, prompt);
  cache.Free(1);
  EXPECT_EQ(cache.n_free_blocks(), 4);
  EXPECT_EQ(cache.n_cached_blocks(), 2);
  const PrefixMatch match = cache.MatchPrefix(prompt);
  EXPECT_EQ(match.n_tokens, 2 * kBlockSize);
  EXPECT_EQ(match.n_blocks_free, 2);

  cache.AddSequence(2, {});
  ASSERT_TRUE(cache.TryAllocate(2, 2 * kBlockSize).has_value()) << "takes the two uncached blocks first";
  EXPECT_EQ(cache.MatchPrefix(prompt).n_tokens, 2 * kBlockSize);
  ASSERT_TRUE(cache.TryAllocate(2, kBlockSize).has_value()) << "evicts the prompt's tail block";
  EXPECT_EQ(cache.MatchPrefix(prompt).n_tokens, kBlockSize);
  EXPECT_EQ(cache.n_cached_blocks(), 1);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, FreeReleasesTailBlocksFirstSoTheHeadOfAPromptIsEvictedLast) {
  KvCacheManager cache = MakeCache(3);
  const std::vector<TokenId> prompt = Tokens(3 * kBlockSize);
  cache.AddSequence(1, prompt);
  ASSERT_TRUE(cache.TryAllocate(1, 3 * kBlockSize).has_value());
  cache.CommitTokens(1, prompt);
  const std::vector<BlockId> blocks(cache.block_ids(1).begin(), cache.block_ids(1).end());
  cache.Free(1);
  EXPECT_THAT(cache.pool().free_queue().ToVector(), ElementsAre(blocks[2], blocks[1], blocks[0]));
}

TEST(KvCacheManager, FreeingOneHolderOfASharedBlockKeepsItForTheOther) {
  KvCacheManager cache = MakeCache(8);
  const std::vector<TokenId> prompt = Tokens(kBlockSize + 1);
  Prefill(cache, 1, prompt);
  Prefill(cache, 2, prompt);
  const BlockId shared = cache.block_ids(1)[0];
  cache.Free(1);
  EXPECT_EQ(cache.pool().ref_count(shared), 1);
  EXPECT_FALSE(cache.pool().free_queue().Contains(shared));
  EXPECT_EQ(cache.n_free_blocks(), 6);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
  cache.Free(2);
  EXPECT_EQ(cache.n_free_blocks(), 8);
  EXPECT_EQ(cache.n_cached_blocks(), 1);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, ForkSharesFullBlocksAndCopiesThePartialOne) {
  KvCacheManager cache = MakeCache(8);
  Prefill(cache, 1, Tokens(2 * kBlockSize + 3));
  const std::optional<ForkResult> fork = cache.Fork(1, 2);
  ASSERT_TRUE(fork.has_value());
  ASSERT_TRUE(fork->copy.has_value());
  const std::span<const BlockId> parent = cache.block_ids(1);
  const std::span<const BlockId> child = cache.block_ids(2);
  EXPECT_EQ(fork->copy->src_block, parent[2]);
  EXPECT_EQ(fork->copy->dst_block, child[2]);
  EXPECT_EQ(fork->copy->n_slots, 3);
  EXPECT_NE(child[2], parent[2]);
  EXPECT_THAT(child.first(2), ElementsAreArray(parent.first(2)));
  EXPECT_EQ(cache.table(2).n_tokens_committed(), 2 * kBlockSize + 3);
  EXPECT_THAT(cache.table(2).partial_block_tokens(), ElementsAreArray(cache.table(1).partial_block_tokens()));
  EXPECT_TRUE(CheckKvCacheInvariants(cache));

  // Both continue independently; the child's next full block hashes like the parent's would.
  for (SeqId seq : {1, 2}) {
    ASSERT_TRUE(cache.TryAllocate(seq, 1).has_value());
    cache.CommitTokens(seq, std::vector<TokenId>{55});
  }
  EXPECT_EQ(cache.table(1).full_block_hashes()[2], cache.table(2).full_block_hashes()[2]);
  EXPECT_EQ(cache.pool().n_indexed(), 3) << "the second equal block is not indexed twice";
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, ForkOfABlockAlignedSequenceCopiesNothing) {
  KvCacheManager cache = MakeCache(4);
  Prefill(cache, 1, Tokens(2 * kBlockSize));
  const int32_t n_free = cache.n_free_blocks();
  const std::optional<ForkResult> fork = cache.Fork(1, 2);
  ASSERT_TRUE(fork.has_value());
  EXPECT_FALSE(fork->copy.has_value());
  EXPECT_EQ(cache.n_free_blocks(), n_free);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, ForkDoesNotInheritSlotsThatHoldNothingYet) {
  KvCacheManager cache = MakeCache(8);
  Prefill(cache, 1, Tokens(kBlockSize));
  ASSERT_TRUE(cache.TryAllocate(1, 2 * kBlockSize).has_value());
  ASSERT_TRUE(cache.Fork(1, 2).has_value());
  EXPECT_EQ(cache.table(2).n_tokens(), kBlockSize);
  EXPECT_EQ(cache.block_ids(2).size(), 1u);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, ForkWontFitWhenNoBlockIsFreeForTheCopy) {
  KvCacheManager cache = MakeCache(2);
  Prefill(cache, 1, Tokens(kBlockSize + 1));
  ASSERT_EQ(cache.n_free_blocks(), 0);
  EXPECT_EQ(cache.Fork(1, 2), std::nullopt);
  EXPECT_FALSE(cache.HasSequence(2));
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, PreemptedSequenceIsRecomputedFromItsOwnCachedBlocks) {
  KvCacheManager cache = MakeCache(8);
  std::vector<TokenId> history = Tokens(2 * kBlockSize + 2);
  Prefill(cache, 1, history);
  cache.Free(1);  // preemption: recompute later
  history.push_back(9);  // a generated token the engine kept
  EXPECT_EQ(Prefill(cache, 1, history), 2 * kBlockSize);
  EXPECT_EQ(cache.table(1).n_tokens_committed(), static_cast<int64_t>(history.size()));
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, StatsCountUsedFreeAndCachedBlocks) {
  KvCacheManager cache = MakeCache(10);
  Prefill(cache, 1, Tokens(3 * kBlockSize + 1));
  Prefill(cache, 2, Tokens(kBlockSize + 1, 500));
  cache.Free(2);
  const KvCacheStats stats = cache.Stats();
  EXPECT_EQ(stats.block_size, kBlockSize);
  EXPECT_EQ(stats.n_blocks, 10);
  EXPECT_EQ(stats.n_blocks_used, 4);
  EXPECT_EQ(stats.n_blocks_free, 6);
  EXPECT_EQ(stats.n_blocks_cached_free, 1);
  EXPECT_EQ(stats.n_blocks_indexed, 4);
  EXPECT_EQ(stats.n_sequences, 1);
  EXPECT_DOUBLE_EQ(stats.utilization, 0.4);
}

TEST(KvCacheManager, FreeingEverySequenceLeavesNoBlockInUse) {
  KvCacheManager cache = MakeCache(16);
  Prefill(cache, 1, Tokens(3 * kBlockSize + 1));
  Prefill(cache, 2, Tokens(3 * kBlockSize + 1));
  ASSERT_TRUE(cache.Fork(2, 3).has_value());
  for (SeqId seq : {3, 1, 2}) cache.Free(seq);
  EXPECT_EQ(cache.n_free_blocks(), 16);
  EXPECT_EQ(cache.pool().n_used(), 0);
  EXPECT_TRUE(cache.sequences().empty());
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManagerDeathTest, CommittingBeyondTheAllocatedSlotsIsAProgrammerError) {
  KvCacheManager cache = MakeCache(4);
  cache.AddSequence(1, {});
  ASSERT_TRUE(cache.TryAllocate(1, 1).has_value());
  EXPECT_DEATH(cache.CommitTokens(1, Tokens(2)), "beyond its slots");
}

TEST(KvCacheManagerDeathTest, UnknownOrDuplicateSequencesAreProgrammerErrors) {
  KvCacheManager cache = MakeCache(4);
  EXPECT_DEATH((void)cache.TryAllocate(3, 1), "not live");
  EXPECT_DEATH(cache.Free(3), "not live");
  cache.AddSequence(1, {});
  EXPECT_DEATH(cache.AddSequence(1, {}), "already live");
}


// With a sliding window of 6 and blocks of 4, the next position n attends
// [n - 5, n]: block k goes back to the pool once 4k + 4 <= n - 5.
TEST(KvCacheManager, SlidingWindowReleasesBlocksTheNextPositionNoLongerAttends) {
  KvCacheManager cache = MakeCache(/*n_blocks=*/4, /*sliding_window=*/6);
  Prefill(cache, 1, Tokens(8));  // next position 8 attends [3, 8]: nothing released yet
  EXPECT_EQ(cache.table(1).n_released_blocks(), 0);
  EXPECT_EQ(cache.n_free_blocks(), 2);
  ASSERT_TRUE(cache.TryAllocate(1, 1).has_value());
  cache.CommitTokens(1, Tokens(1, 500));  // next position 9 attends [4, 9]: block 0 is done
  EXPECT_EQ(cache.table(1).n_released_blocks(), 1);
  EXPECT_EQ(cache.block_ids(1)[0], kReleasedBlock);
  EXPECT_EQ(cache.n_free_blocks(), 2);  // one taken for position 8, one given back
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
  // A sequence of 40 tokens runs in a pool of 4 blocks (16 slots).
  for (TokenId t = 0; t < 30; ++t) {
    ASSERT_TRUE(cache.TryAllocate(1, 1).has_value()) << "token " << t;
    cache.CommitTokens(1, Tokens(1, 600 + t));
    ASSERT_TRUE(CheckKvCacheInvariants(cache));
  }
  EXPECT_EQ(cache.table(1).n_tokens_committed(), 39);
  EXPECT_LE(cache.pool().n_used(), 3);
  cache.Free(1);
  EXPECT_EQ(cache.n_free_blocks(), 4);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

TEST(KvCacheManager, ReleasedBlocksStayCachedForTheNextPromptAndForksSkipThem) {
  KvCacheManager cache = MakeCache(/*n_blocks=*/8, /*sliding_window=*/4);
  const std::vector<TokenId> prompt = Tokens(13);
  Prefill(cache, 1, prompt);  // next position 13 attends [10, 13]: blocks 0 and 1 released
  EXPECT_EQ(cache.table(1).n_released_blocks(), 2);
  EXPECT_EQ(cache.MatchPrefix(prompt).n_blocks, 3);  // released blocks keep their prefix hashes
  ASSERT_TRUE(cache.Fork(1, 2).has_value());
  EXPECT_EQ(cache.table(2).n_released_blocks(), 2);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
  cache.Free(1);
  cache.Free(2);
  EXPECT_EQ(cache.n_free_blocks(), 8);
  EXPECT_TRUE(CheckKvCacheInvariants(cache));
}

}  // namespace
}  // namespace fab::kvcache
