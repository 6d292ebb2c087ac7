#include "base/status.h"

#include <gtest/gtest.h>

namespace fab {
namespace {

StatusOr<int> Half(int value) {
  if (value % 2 != 0) return InvalidArgumentError(std::to_string(value) + " is odd");
  return value / 2;
}

StatusOr<int> Quarter(int value) {
  FAB_ASSIGN_OR_RETURN(int half, Half(value));
  FAB_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(Status, OkHasNoMessageAndPrintsOk) {
  EXPECT_TRUE(OkStatus().ok());
  EXPECT_EQ(OkStatus().ToString(), "OK");
}

TEST(Status, ErrorsCarryCodeMessageAndContext) {
  Status s = DataLossError("truncated").WithContext("model.gguf");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.ToString(), "DATA_LOSS: model.gguf: truncated");
}

TEST(StatusOr, PropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  StatusOr<int> odd = Quarter(6);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), "3 is odd");
}

TEST(StatusOrDeathTest, ValueOfAnErrorIsAProgrammerError) {
  StatusOr<int> error = Half(3);
  EXPECT_DEATH((void)error.value(), "value\\(\\) on error");
}

}  // namespace
}  // namespace fab
