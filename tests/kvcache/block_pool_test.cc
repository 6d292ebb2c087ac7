#include "kvcache/block_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fab::kvcache {
namespace {

using ::testing::ElementsAre;

BlockHash HashNumber(uint64_t n) { return BlockHash{n, ~n}; }

TEST(BlockPool, AllocatesEveryBlockOnceThenReportsNone) {
  BlockPool pool(3);
  EXPECT_EQ(pool.Allocate(), 0);
  EXPECT_EQ(pool.Allocate(), 1);
  EXPECT_EQ(pool.Allocate(), 2);
  EXPECT_EQ(pool.Allocate(), std::nullopt);
  EXPECT_EQ(pool.n_free(), 0);
  EXPECT_EQ(pool.n_used(), 3);
  EXPECT_EQ(pool.ref_count(1), 1);
}

TEST(BlockPool, SharedBlockIsFreedOnlyByItsLastHolder) {
  BlockPool pool(2);
  const BlockId block = *pool.Allocate();
  pool.Retain(block);
  EXPECT_EQ(pool.ref_count(block), 2);
  pool.Release(block);
  EXPECT_FALSE(pool.free_queue().Contains(block));
  pool.Release(block);
  EXPECT_TRUE(pool.free_queue().Contains(block));
  EXPECT_EQ(pool.n_free(), 2);
}

TEST(BlockPool, ReusesUncachedBlocksBeforeCachedOnes) {
  BlockPool pool(3);
  const BlockId cached = *pool.Allocate();
  const BlockId plain = *pool.Allocate();
  const BlockId never_used = 2;
  ASSERT_TRUE(pool.CacheFullBlock(cached, HashNumber(1)));
  pool.Release(cached);
  pool.Release(plain);
  EXPECT_THAT(pool.free_queue().ToVector(), ElementsAre(plain, never_used, cached));
  EXPECT_EQ(pool.Allocate(), plain);
  EXPECT_EQ(pool.Allocate(), never_used);
  EXPECT_EQ(pool.FindCached(HashNumber(1)), cached);
}

TEST(BlockPool, EvictsCachedBlocksInTheOrderTheyWereReleased) {
  BlockPool pool(3);
  for (BlockId block = 0; block < 3; ++block) {
    ASSERT_EQ(pool.Allocate(), block);
    ASSERT_TRUE(pool.CacheFullBlock(block, HashNumber(static_cast<uint64_t>(block))));
  }
  pool.Release(2);
  pool.Release(0);
  pool.Release(1);
  EXPECT_EQ(pool.Allocate(), 2);
  EXPECT_EQ(pool.Allocate(), 0);
  EXPECT_EQ(pool.Allocate(), 1);
}

TEST(BlockPool, FreedCachedBlockStaysFindableUntilItIsReallocated) {
  BlockPool pool(1);
  const BlockId block = *pool.Allocate();
  ASSERT_TRUE(pool.CacheFullBlock(block, HashNumber(5)));
  pool.Release(block);
  EXPECT_EQ(pool.FindCached(HashNumber(5)), block);
  EXPECT_EQ(pool.n_cached_free(), 1);
  EXPECT_EQ(pool.Allocate(), block);
  EXPECT_EQ(pool.FindCached(HashNumber(5)), std::nullopt);
  EXPECT_EQ(pool.cached_hash(block), std::nullopt);
  EXPECT_EQ(pool.n_cached_free(), 0);
  EXPECT_EQ(pool.n_indexed(), 0);
}

TEST(BlockPool, RetainingACachedFreeBlockTakesItOffTheFreeList) {
  BlockPool pool(2);
  const BlockId block = *pool.Allocate();
  ASSERT_TRUE(pool.CacheFullBlock(block, HashNumber(8)));
  pool.Release(block);
  pool.Retain(block);
  EXPECT_EQ(pool.ref_count(block), 1);
  EXPECT_FALSE(pool.free_queue().Contains(block));
  EXPECT_EQ(pool.n_cached_free(), 0);
  EXPECT_EQ(pool.FindCached(HashNumber(8)), block);
  EXPECT_EQ(pool.Allocate(), 1);
  EXPECT_EQ(pool.Allocate(), std::nullopt);
}

TEST(BlockPool, SecondBlockWithAnIndexedHashStaysUncached) {
  BlockPool pool(2);
  const BlockId first = *pool.Allocate();
  const BlockId second = *pool.Allocate();
  EXPECT_TRUE(pool.CacheFullBlock(first, HashNumber(3)));
  EXPECT_FALSE(pool.CacheFullBlock(second, HashNumber(3)));
  EXPECT_EQ(pool.cached_hash(second), std::nullopt);
  EXPECT_EQ(pool.FindCached(HashNumber(3)), first);
}

TEST(BlockPoolDeathTest, ReleasingAFreeBlockIsAProgrammerError) {
  BlockPool pool(1);
  EXPECT_DEATH(pool.Release(0), "releasing free block");
}

TEST(BlockPoolDeathTest, RetainingAnUncachedFreeBlockIsAProgrammerError) {
  BlockPool pool(1);
  EXPECT_DEATH(pool.Retain(0), "holds no cached prefix");
}

TEST(BlockPoolDeathTest, OutOfRangeIdsAndSizesAreProgrammerErrors) {
  EXPECT_DEATH(BlockPool(0), "outside");
  EXPECT_DEATH(BlockPool(BlockPool::kMaxBlocks + 1), "outside");
  BlockPool pool(1);
  EXPECT_DEATH((void)pool.ref_count(1), "outside");
}

}  // namespace
}  // namespace fab::kvcache

namespace fab::kvcache {
namespace {

TEST(BlockPool, ListsCachedHashesInUseFirstThenTheMostRecentlyReleasedWithinTheCap) {
  BlockPool pool(5);
  for (BlockId block = 0; block < 4; ++block) {
    ASSERT_EQ(pool.Allocate(), block);
    ASSERT_TRUE(pool.CacheFullBlock(block, HashNumber(static_cast<uint64_t>(10 + block))));
  }
  pool.Release(1);  // released first: evicted first, listed last
  pool.Release(0);
  EXPECT_EQ(pool.n_cached(), 4);
  EXPECT_THAT(pool.CachedHashes(10), ElementsAre(HashNumber(12), HashNumber(13), HashNumber(10), HashNumber(11)));
  EXPECT_THAT(pool.CachedHashes(3), ElementsAre(HashNumber(12), HashNumber(13), HashNumber(10)));
  pool.Allocate();  // the never-used block 4 goes first; then block 1 loses its hash
  pool.Allocate();
  EXPECT_EQ(pool.n_cached(), 3);
  EXPECT_THAT(pool.CachedHashes(10), ElementsAre(HashNumber(12), HashNumber(13), HashNumber(10)));
}

}  // namespace
}  // namespace fab::kvcache
