#include "tensor/dtype.h"

#include <gtest/gtest.h>

namespace fab {
namespace {

TEST(DType, GgufNumbersMapToLlamaCppBlockGeometry) {
  struct Expected { uint32_t number; const char* name; int64_t block; int64_t bytes; };
  for (const Expected& e : {Expected{0, "f32", 1, 4}, Expected{1, "f16", 1, 2}, Expected{2, "q4_0", 32, 18},
                            Expected{3, "q4_1", 32, 20}, Expected{6, "q5_0", 32, 22}, Expected{8, "q8_0", 32, 34},
                            Expected{12, "q4_k", 256, 144}, Expected{13, "q5_k", 256, 176},
                            Expected{14, "q6_k", 256, 210}, Expected{30, "bf16", 1, 2}}) {
    auto info = LookupDType(e.number);
    ASSERT_TRUE(info.has_value()) << e.number;
    EXPECT_STREQ(info->name, e.name);
    EXPECT_EQ(info->block_size, e.block);
    EXPECT_EQ(info->type_size, e.bytes);
  }
}

TEST(DType, RemovedAndUnknownNumbersAreRejected) {
  EXPECT_FALSE(LookupDType(4).has_value());
  EXPECT_FALSE(LookupDType(5).has_value());
  EXPECT_FALSE(LookupDType(9999).has_value());
}

TEST(DType, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(ParseDTypeName("Q4_K"), DType::kQ4_K);
  EXPECT_EQ(ParseDTypeName("bf16"), DType::kBF16);
  EXPECT_FALSE(ParseDTypeName("q9_9").has_value());
}

TEST(RowBytes, RejectsPartialBlocksAndOverflow) {
  EXPECT_EQ(*RowBytes(DType::kQ4_0, 64), 36);
  EXPECT_FALSE(RowBytes(DType::kQ4_0, 33).ok());
  EXPECT_FALSE(RowBytes(DType::kF32, -1).ok());
  EXPECT_EQ(RowBytes(DType::kF32, int64_t{1} << 62).status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace fab
