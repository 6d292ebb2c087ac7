// MergeTable: pair lookups, later rules replacing earlier ones.
#include "tokenizer/merge_table.h"

#include <gtest/gtest.h>

namespace fab::tokenizer_internal {
namespace {

TEST(MergeTable, FindsEachInsertedPairAndNothingElse) {
  MergeTable table(1000);
  for (TokenId left = 0; left < 30; ++left) {
    for (TokenId right = 0; right < 30; ++right) {
      table.Insert(left, right, {left * 30 + right, 1000 + left * 30 + right});
    }
  }
  EXPECT_EQ(table.size(), 900u);
  for (TokenId left = 0; left < 30; ++left) {
    for (TokenId right = 0; right < 30; ++right) {
      const MergeTable::Merge* merge = table.Find(left, right);
      ASSERT_NE(merge, nullptr);
      EXPECT_EQ(merge->rank, left * 30 + right);
      EXPECT_EQ(merge->result, 1000 + left * 30 + right);
    }
  }
  EXPECT_EQ(table.Find(30, 0), nullptr);
  EXPECT_EQ(table.Find(-1, 0), nullptr);
}

TEST(MergeTable, ALaterRuleForThePairReplacesTheEarlierOne) {
  MergeTable table(2);
  table.Insert(1, 2, {0, 10});
  table.Insert(1, 2, {5, 11});
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.Find(1, 2)->rank, 5);
  EXPECT_EQ(table.Find(1, 2)->result, 11);
}

}  // namespace
}  // namespace fab::tokenizer_internal
