// BlocksInFlight and HashPromptBlocks: a prompt's block hashes are the
// chained hashes the KV cache gives the same blocks once committed (so
// "being computed" and "cached" name the same prefix), salts separate them,
// and only a request's uncommitted blocks count as in flight.
#include <gtest/gtest.h>

#include <vector>

#include "kvcache/kv_cache_manager.h"
#include "scheduler/blocks_in_flight.h"
#include "scheduler_test_util.h"

namespace fab::scheduler {
namespace {

TEST(BlocksInFlight, PromptHashesAreTheKvCachesChainedHashes) {
  const std::vector<TokenId> prompt = MakePrompt(40, 3);  // 2 full blocks of 16, 8 tokens over
  kvcache::KvCacheConfig config;
  config.capacity_tokens = 256;
  config.block_size = 16;
  config.hash_seed = 42;
  StatusOr<kvcache::KvCacheManager> cache = kvcache::KvCacheManager::Create(config);
  ASSERT_TRUE(cache.ok());
  cache->AddSequence(1, prompt, /*cache_salt=*/5);
  ASSERT_TRUE(cache->TryAllocate(1, 40).has_value());
  cache->CommitTokens(1, prompt);

  kvcache::BlockHasher hasher(42);
  const std::vector<kvcache::BlockHash> hashes = HashPromptBlocks(hasher, prompt, 16, /*cache_salt=*/5);
  const std::span<const kvcache::BlockHash> committed = cache->table(1).full_block_hashes();
  ASSERT_EQ(hashes.size(), 2u);
  EXPECT_EQ(std::vector<kvcache::BlockHash>(committed.begin(), committed.end()), hashes);
  EXPECT_NE(HashPromptBlocks(hasher, prompt, 16, /*cache_salt=*/6)[0], hashes[0]);
}

TEST(BlocksInFlight, HoldsOnlyTheBlocksNotYetCommitted) {
  kvcache::BlockHasher hasher(1);
  const std::vector<kvcache::BlockHash> hashes = HashPromptBlocks(hasher, MakePrompt(64, 1), 16, 0);
  ASSERT_EQ(hashes.size(), 4u);
  BlocksInFlight in_flight;
  EXPECT_TRUE(in_flight.empty());
  in_flight.Add(hashes, /*first_uncommitted_block=*/2);
  EXPECT_FALSE(in_flight.Contains(hashes[0]));
  EXPECT_FALSE(in_flight.Contains(hashes[1]));
  EXPECT_TRUE(in_flight.Contains(hashes[2]));
  EXPECT_TRUE(in_flight.Contains(hashes[3]));
  in_flight.Add(hashes, /*first_uncommitted_block=*/4);  // fully committed: adds nothing
  EXPECT_FALSE(in_flight.Contains(hashes[1]));
}

}  // namespace
}  // namespace fab::scheduler
