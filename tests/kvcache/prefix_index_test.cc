#include "kvcache/prefix_index.h"

#include <gtest/gtest.h>

namespace fab::kvcache {
namespace {

TEST(PrefixIndex, KeepsTheFirstBlockInsertedForAHash) {
  PrefixIndex index(4);
  const BlockHash hash{1, 2};
  EXPECT_TRUE(index.Insert(hash, 3));
  EXPECT_FALSE(index.Insert(hash, 5));
  EXPECT_EQ(index.Find(hash), 3);
  EXPECT_EQ(index.size(), 1);
  EXPECT_EQ(index.Find(BlockHash{1, 3}), std::nullopt);
}

TEST(PrefixIndex, EraseRemovesAHashOnlyForItsOwnBlock) {
  PrefixIndex index(4);
  const BlockHash hash{9, 9};
  ASSERT_TRUE(index.Insert(hash, 1));
  EXPECT_FALSE(index.Erase(hash, 2));
  EXPECT_EQ(index.Find(hash), 1);
  EXPECT_TRUE(index.Erase(hash, 1));
  EXPECT_EQ(index.Find(hash), std::nullopt);
  EXPECT_EQ(index.size(), 0);
}

}  // namespace
}  // namespace fab::kvcache
