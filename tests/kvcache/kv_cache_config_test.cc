#include "kvcache/kv_cache_config.h"

#include <gtest/gtest.h>

#include <limits>

#include "kvcache/block_pool.h"

namespace fab::kvcache {
namespace {

KvCacheConfig Config(int64_t capacity_tokens, int32_t block_size) {
  KvCacheConfig config;
  config.capacity_tokens = capacity_tokens;
  config.block_size = block_size;
  return config;
}

TEST(KvCacheConfig, AcceptsOrdinarySizesAndRoundsDownToWholeBlocks) {
  const KvCacheConfig config = Config(1000, 16);
  EXPECT_TRUE(config.Validate().ok());
  EXPECT_EQ(config.n_blocks(), 62);
}

TEST(KvCacheConfig, RejectsBlockSizesOutOfRange) {
  for (int32_t block_size : {0, -1, KvCacheConfig::kMaxBlockSize + 1, std::numeric_limits<int32_t>::max()}) {
    const Status status = Config(1 << 20, block_size).Validate();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << block_size;
    EXPECT_NE(status.message().find("block_size"), std::string::npos) << status.message();
  }
}

TEST(KvCacheConfig, RejectsCapacitiesBelowOneBlockOrAboveTheBlockCap) {
  const int64_t too_many_tokens = (int64_t{BlockPool::kMaxBlocks} + 1) * 16;
  for (int64_t capacity : {int64_t{-1}, int64_t{0}, int64_t{15}, too_many_tokens,
                           std::numeric_limits<int64_t>::max()}) {
    const Status status = Config(capacity, 16).Validate();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << capacity;
    EXPECT_NE(status.message().find("capacity_tokens"), std::string::npos) << status.message();
  }
  EXPECT_TRUE(Config(int64_t{BlockPool::kMaxBlocks} * 16, 16).Validate().ok());
}

}  // namespace
}  // namespace fab::kvcache
