#include "base/percentile.h"

#include <gtest/gtest.h>

namespace fab {
namespace {

TEST(Percentile, InterpolatesBetweenClosestRanks) {
  const std::vector<double> sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(Percentile(sorted, 0), 1);
  EXPECT_DOUBLE_EQ(Percentile(sorted, 50), 5.5);
  EXPECT_DOUBLE_EQ(Percentile(sorted, 90), 9.1);
  EXPECT_DOUBLE_EQ(Percentile(sorted, 99), 9.91);
  EXPECT_DOUBLE_EQ(Percentile(sorted, 100), 10);
}

TEST(Percentile, OfOneValueIsThatValue) { EXPECT_DOUBLE_EQ(Percentile({42}, 99), 42); }

TEST(Percentile, ClampsQToZeroAndOneHundred) {
  const std::vector<double> sorted = {3, 7};
  EXPECT_DOUBLE_EQ(Percentile(sorted, -5), 3);
  EXPECT_DOUBLE_EQ(Percentile(sorted, 250), 7);
}

}  // namespace
}  // namespace fab
