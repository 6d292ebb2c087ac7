// Perplexity and divergence on small synthesized models: a model against
// itself diverges by nothing and agrees everywhere; the perplexity of a
// chunk equals exp(mean NLL) computed by feeding the same tokens one at a
// time (the decode path, not the batched one); the same weights at Q8_0
// stay closer to F16 than at Q4_0; bad sizes are refused.
#include "eval/perplexity.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/session.h"
#include "model/synth.h"
#include "model/synth_shapes.h"

namespace fab::eval {
namespace {

std::unique_ptr<model::Model> Synthesized(DType quant) {
  ThreadPool pool(2);
  model::SynthOptions options;
  options.shape = model::FindSynthShape("demo-tiny");
  options.quant = quant;
  options.seed = 5;
  options.out_path = (std::filesystem::temp_directory_path() /
                      ("tokenfab_ppl_" + std::to_string(getpid()) + "_" + std::to_string(static_cast<int>(quant)) + ".gguf"))
                         .string();
  EXPECT_TRUE(model::SynthesizeModel(options, pool).ok());
  auto loaded = model::Model::Load(options.out_path);
  std::filesystem::remove(options.out_path);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return loaded.ok() ? std::move(loaded).value() : nullptr;
}

std::vector<TokenId> RandomText(const model::Model& model, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<TokenId> id(3, static_cast<TokenId>(model.hparams().n_vocab - 1));
  std::vector<TokenId> tokens = {1};
  while (tokens.size() < n) tokens.push_back(id(rng));
  return tokens;
}

TEST(Perplexity, AModelAgainstItselfDivergesByNothing) {
  const auto f16 = Synthesized(DType::kF16);
  ThreadPool pool(2);
  const auto result = MeasurePerplexity(*f16, RandomText(*f16, 200, 1), pool, {.n_ctx = 64}, f16.get());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->n_chunks, 3);
  EXPECT_EQ(result->n_scored, 3 * 31);
  ASSERT_TRUE(result->against_reference);
  EXPECT_NEAR(result->against_reference->mean_kl, 0.0, 1e-9);
  EXPECT_EQ(result->against_reference->top1_agreement, 1.0);
  EXPECT_GT(result->perplexity, 1.0);
}

TEST(Perplexity, EqualsTheLikelihoodOfTheSameTokensFedOneAtATime) {
  const auto q8 = Synthesized(DType::kQ8_0);
  ThreadPool pool(2);
  const std::vector<TokenId> tokens = RandomText(*q8, 64, 2);
  const auto result = MeasurePerplexity(*q8, tokens, pool, {.n_ctx = 64});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  model::Session session(*q8, pool, {.n_ctx = 64, .max_batch = 1});
  double nll = 0.0;
  int n = 0;
  for (size_t position = 0; position + 1 < tokens.size(); ++position) {
    ASSERT_TRUE(session.Eval(std::span<const TokenId>(&tokens[position], 1)).ok());
    if (position < 32) continue;
    const std::span<const float> row = session.logits();
    double top = row[0], sum = 0.0;
    for (float x : row) top = std::max(top, static_cast<double>(x));
    for (float x : row) sum += std::exp(x - top);
    nll += top + std::log(sum) - row[static_cast<size_t>(tokens[position + 1])];
    ++n;
  }
  EXPECT_EQ(result->n_scored, n);
  EXPECT_NEAR(std::log(result->perplexity), nll / n, 1e-3);
}

TEST(Perplexity, CoarserQuantizationsDivergeMoreFromTheSameWeightsAtF16) {
  const auto f16 = Synthesized(DType::kF16);
  const auto q8 = Synthesized(DType::kQ8_0);
  const auto q4 = Synthesized(DType::kQ4_0);
  ThreadPool pool(2);
  const std::vector<TokenId> tokens = RandomText(*f16, 256, 3);
  const auto near = MeasurePerplexity(*q8, tokens, pool, {.n_ctx = 128}, f16.get());
  const auto far = MeasurePerplexity(*q4, tokens, pool, {.n_ctx = 128}, f16.get());
  ASSERT_TRUE(near.ok() && far.ok());
  EXPECT_GT(near->against_reference->mean_kl, 0.0);
  EXPECT_LT(near->against_reference->mean_kl, far->against_reference->mean_kl);
  EXPECT_GE(near->against_reference->top1_agreement, far->against_reference->top1_agreement);
}

TEST(Perplexity, RefusesATextShorterThanAChunkAndAnOutOfRangeChunk) {
  const auto q8 = Synthesized(DType::kQ8_0);
  ThreadPool pool(2);
  EXPECT_FALSE(MeasurePerplexity(*q8, RandomText(*q8, 10, 4), pool, {.n_ctx = 64}).ok());
  EXPECT_FALSE(MeasurePerplexity(*q8, RandomText(*q8, 100, 4), pool, {.n_ctx = 8}).ok());
  EXPECT_FALSE(MeasurePerplexity(*q8, RandomText(*q8, 100, 4), pool, {.n_ctx = 1 << 30}).ok());
}

}  // namespace
}  // namespace fab::eval
