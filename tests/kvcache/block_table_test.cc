#include "kvcache/block_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace fab::kvcache {
namespace {

using ::testing::ElementsAre;

TEST(BlockTable, MapsPositionsToBlockAndOffset) {
  BlockHasher hasher(0);
  BlockTable table(4, hasher.RootHash(0));
  table.AppendEmptyBlock(7);
  table.AppendEmptyBlock(2);
  table.AddTokenSlots(6);
  EXPECT_EQ(table.n_tokens(), 6);
  EXPECT_EQ(table.SlotOf(0).block, 7);
  EXPECT_EQ(table.SlotOf(3).offset, 3);
  EXPECT_EQ(table.SlotOf(5).block, 2);
  EXPECT_EQ(table.SlotOf(5).offset, 1);
}

TEST(BlockTable, CommittingHashesEachBlockWhenItFills) {
  BlockHasher hasher(0);
  BlockTable table(2, hasher.RootHash(0));
  table.AppendEmptyBlock(4);
  table.AppendEmptyBlock(5);
  table.AddTokenSlots(4);
  EXPECT_EQ(table.CommitToken(10, hasher), std::nullopt);
  const std::optional<FullBlock> first = table.CommitToken(11, hasher);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->block, 4);
  const BlockHash expected_first = hasher.ChainHash(hasher.RootHash(0), std::vector<TokenId>{10, 11});
  EXPECT_EQ(first->hash, expected_first);
  EXPECT_EQ(table.CommitToken(12, hasher), std::nullopt);
  EXPECT_THAT(table.partial_block_tokens(), ElementsAre(12));
  const std::optional<FullBlock> second = table.CommitToken(13, hasher);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->block, 5);
  EXPECT_EQ(second->hash, hasher.ChainHash(expected_first, std::vector<TokenId>{12, 13}));
  EXPECT_EQ(table.full_block_hashes().size(), 2u);
  EXPECT_TRUE(table.partial_block_tokens().empty());
}

TEST(BlockTable, CommittedPrefixDropsSlotsThatHoldNothingYet) {
  BlockHasher hasher(0);
  BlockTable table(2, hasher.RootHash(0));
  for (BlockId block : {1, 2, 3}) table.AppendEmptyBlock(block);
  table.AddTokenSlots(6);
  for (TokenId token : {5, 6, 7}) (void)table.CommitToken(token, hasher);
  const BlockTable prefix = table.CommittedPrefix();
  EXPECT_THAT(prefix.block_ids(), ElementsAre(1, 2));
  EXPECT_EQ(prefix.n_tokens(), 3);
  EXPECT_EQ(prefix.n_tokens_committed(), 3);
  EXPECT_THAT(prefix.partial_block_tokens(), ElementsAre(7));
}

TEST(BlockTableDeathTest, CommittingWithoutASlotIsAProgrammerError) {
  BlockHasher hasher(0);
  BlockTable table(2, hasher.RootHash(0));
  EXPECT_DEATH((void)table.CommitToken(1, hasher), "without a slot");
}

TEST(BlockTableDeathTest, SlotsBeyondTheBlocksAreAProgrammerError) {
  BlockHasher hasher(0);
  BlockTable table(2, hasher.RootHash(0));
  table.AppendEmptyBlock(0);
  EXPECT_DEATH(table.AddTokenSlots(3), "do not fit");
}

}  // namespace
}  // namespace fab::kvcache
