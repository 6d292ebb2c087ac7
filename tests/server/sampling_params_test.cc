#include "server/sampling_params.h"

#include <gtest/gtest.h>

namespace fab::server {
namespace {

TEST(ToSamplingParams, UsesOpenAiDefaultsForAbsentFields) {
  const SamplingParams params = ToSamplingParams(SamplingFields{}, 99);
  EXPECT_EQ(params.temperature, 1.0f);
  EXPECT_EQ(params.top_p, 1.0f);
  EXPECT_EQ(params.top_k, 0);
  EXPECT_EQ(params.min_p, 0.0f);
  EXPECT_EQ(params.repetition_penalty, 1.0f);
  EXPECT_EQ(params.frequency_penalty, 0.0f);
  EXPECT_EQ(params.presence_penalty, 0.0f);
  EXPECT_EQ(params.seed, 99u);
  EXPECT_TRUE(params.Validate().ok());
}

TEST(ToSamplingParams, CopiesEveryGivenFieldAndTurnsTopKMinusOneOff) {
  SamplingFields fields;
  fields.temperature = 0.5;
  fields.top_p = 0.9;
  fields.top_k = -1;
  fields.min_p = 0.1;
  fields.repetition_penalty = 1.2;
  fields.frequency_penalty = -1.0;
  fields.presence_penalty = 2.0;
  fields.seed = 42;
  const SamplingParams params = ToSamplingParams(fields, 99);
  EXPECT_EQ(params.temperature, 0.5f);
  EXPECT_EQ(params.top_p, 0.9f);
  EXPECT_EQ(params.top_k, 0);
  EXPECT_EQ(params.min_p, 0.1f);
  EXPECT_EQ(params.repetition_penalty, 1.2f);
  EXPECT_EQ(params.frequency_penalty, -1.0f);
  EXPECT_EQ(params.presence_penalty, 2.0f);
  EXPECT_EQ(params.seed, 42u);
  EXPECT_TRUE(params.Validate().ok());
}

TEST(ToSamplingParams, KeepsTheBitPatternOfANegativeSeed) {
  SamplingFields fields;
  fields.seed = -1;
  EXPECT_EQ(ToSamplingParams(fields, 0).seed, UINT64_MAX);
}

TEST(ToSamplingParams, EveryValueTheParserAcceptsPassesTheSamplersValidation) {
  // The parser's bounds must sit inside the sampler's, or a 400-worthy value
  // would surface from the engine without a param.
  for (const double penalty : {0.01, 10.0}) {
    for (const double temperature : {0.0, 2.0}) {
      SamplingFields fields;
      fields.repetition_penalty = penalty;
      fields.temperature = temperature;
      fields.top_p = 1e-9;
      fields.min_p = 1.0;
      fields.presence_penalty = -2.0;
      fields.frequency_penalty = 2.0;
      fields.top_k = 1 << 20;
      EXPECT_TRUE(ToSamplingParams(fields, 0).Validate().ok()) << penalty << " " << temperature;
    }
  }
}

}  // namespace
}  // namespace fab::server
