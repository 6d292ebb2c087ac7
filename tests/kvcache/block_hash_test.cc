#include "kvcache/block_hash.h"

#include <gtest/gtest.h>

#include <vector>

namespace fab::kvcache {
namespace {

TEST(BlockHasher, SameParentAndTokensGiveTheSameHash) {
  BlockHasher a(7);
  BlockHasher b(7);
  const std::vector<TokenId> tokens = {1, 2, 3, 4};
  EXPECT_EQ(a.ChainHash(a.RootHash(0), tokens), b.ChainHash(b.RootHash(0), tokens));
}

TEST(BlockHasher, AnyChangedTokenChangesTheHash) {
  BlockHasher hasher(0);
  const BlockHash root = hasher.RootHash(0);
  const std::vector<TokenId> tokens = {10, 20, 30, 40};
  const BlockHash original = hasher.ChainHash(root, tokens);
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::vector<TokenId> changed = tokens;
    ++changed[i];
    EXPECT_NE(hasher.ChainHash(root, changed), original) << "token " << i;
  }
}

TEST(BlockHasher, EqualBlocksAfterDifferentPrefixesHashDifferently) {
  BlockHasher hasher(0);
  const BlockHash root = hasher.RootHash(0);
  const std::vector<TokenId> first_a = {1, 2}, first_b = {1, 3}, second = {5, 6};
  EXPECT_NE(hasher.ChainHash(hasher.ChainHash(root, first_a), second),
            hasher.ChainHash(hasher.ChainHash(root, first_b), second));
}

TEST(BlockHasher, SaltAndSeedSeparateOtherwiseEqualPrefixes) {
  BlockHasher hasher(0);
  BlockHasher other_seed(1);
  const std::vector<TokenId> tokens = {1, 2, 3};
  const BlockHash plain = hasher.ChainHash(hasher.RootHash(0), tokens);
  EXPECT_NE(hasher.ChainHash(hasher.RootHash(1), tokens), plain);
  EXPECT_NE(other_seed.ChainHash(other_seed.RootHash(0), tokens), plain);
}

TEST(BlockHasher, UsesAllOneHundredTwentyEightBits) {
  BlockHasher hasher(0);
  const BlockHash hash = hasher.ChainHash(hasher.RootHash(0), std::vector<TokenId>{42});
  EXPECT_NE(hash.low, 0u);
  EXPECT_NE(hash.high, 0u);
  EXPECT_NE(hash.low, hash.high);
}

}  // namespace
}  // namespace fab::kvcache
