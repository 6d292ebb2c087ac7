#include "request/sampling_params.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace fab {
namespace {

TEST(CheckLogitBias, RejectsAmountsOutsideMinusToPlusHundredOrNotFinite) {
  for (float bias : {-100.5f, 100.5f, std::nanf(""), INFINITY}) {
    const Status status = CheckLogitBias({{3, bias}}, /*n_vocab=*/10);
    EXPECT_FALSE(status.ok()) << bias;
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("logit_bias"), std::string::npos) << status.ToString();
  }
  EXPECT_TRUE(CheckLogitBias({{3, -100.0f}, {4, 100.0f}}, 10).ok());
}

TEST(CheckLogitBias, RejectsIdsOutsideTheVocabulary) {
  for (TokenId id : {-1, 10, 1 << 30}) {
    const Status status = CheckLogitBias({{id, 1.0f}}, /*n_vocab=*/10);
    EXPECT_FALSE(status.ok()) << id;
    EXPECT_NE(status.message().find(std::to_string(id)), std::string::npos) << status.ToString();
  }
  EXPECT_TRUE(CheckLogitBias({{0, 1.0f}, {9, 1.0f}}, 10).ok());
}

TEST(CheckLogitBias, RejectsMoreEntriesThanTheVocabularyHasTokens) {
  LogitBias many;
  for (int i = 0; i < 11; ++i) many.push_back({i % 10, 1.0f});
  const Status status = CheckLogitBias(many, 10);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("11 entries"), std::string::npos) << status.ToString();
}

TEST(SamplingParams, ValidateLeavesTheLogitBiasToCheckLogitBias) {
  SamplingParams params;
  params.logit_bias = {{3, 500.0f}};
  EXPECT_TRUE(params.Validate().ok());
  params.top_p = 1.5f;
  EXPECT_NE(params.Validate().message().find("top_p"), std::string::npos);
}

}  // namespace
}  // namespace fab
