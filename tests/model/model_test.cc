// Model loading and forward passes on synthesized files: every shape family
// (llama, tied embeddings, Llama-3 rope factors, qwen2 biases) loads, runs
// and gives finite logits; batched and one-by-one evaluation agree; bad
// inputs give errors, not crashes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <unistd.h>

#include "gguf/gguf_writer.h"
#include "model/model.h"
#include "model/session.h"
#include "model/synth.h"

namespace fab::model {
namespace {

constexpr float kBatchVsSingleTolerance = 2e-3f;

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tokenfab_model_test_" + std::to_string(getpid()) + "_" + name)).string();
}

// A small shape of the given family so tests stay fast.
// qwen3 gets heads wider than n_embd / n_head, as the real ones have.
SynthShape SmallShape(const char* arch, bool tied, bool rope_factors) {
  return SynthShape{"test", arch, 128, 2, 4, 2, 256, 600, 256, 10000.0f, tied, rope_factors,
                    std::string(arch) == "qwen3" ? 64 : 0};
}

std::unique_ptr<Model> SynthAndLoad(const SynthShape& shape, DType quant, const std::string& name) {
  ThreadPool pool(2);
  SynthOptions options;
  options.shape = &shape;
  options.quant = quant;
  options.out_path = TempPath(name);
  Status written = SynthesizeModel(options, pool);
  EXPECT_TRUE(written.ok()) << written.ToString();
  auto model = Model::Load(options.out_path);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(model).value() : nullptr;
}

bool AllFinite(std::span<const float> values) {
  for (float v : values) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

TEST(Model, EveryArchitectureFamilyLoadsAndGivesFiniteLogits) {
  struct Case { const char* arch; bool tied; bool rope_factors; DType quant; };
  for (const Case& c : {Case{"llama", false, false, DType::kQ8_0}, Case{"llama", true, true, DType::kQ4_0},
                        Case{"qwen2", true, false, DType::kQ8_0}, Case{"llama", false, false, DType::kQ4_K},
                        Case{"qwen3", true, false, DType::kQ8_0}}) {
    SynthShape shape = SmallShape(c.arch, c.tied, c.rope_factors);
    auto model = SynthAndLoad(shape, c.quant, std::string(c.arch) + DTypeName(c.quant) + ".gguf");
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->weights().tied_output, c.tied);
    EXPECT_EQ(model->weights().rope_factors.empty(), !c.rope_factors);
    EXPECT_EQ(model->hparams().has_qkv_bias, std::string(c.arch) == "qwen2");
    ThreadPool pool(2);
    Session session(*model, pool);
    std::vector<TokenId> tokens = {1, 50, 300, 599};
    ASSERT_TRUE(session.Eval(tokens).ok());
    EXPECT_EQ(session.logits().size(), 600u);
    EXPECT_TRUE(AllFinite(session.logits()));
  }
}

TEST(Session, BatchedEvalMatchesOneTokenAtATime) {
  SynthShape shape = SmallShape("llama", false, false);
  auto model = SynthAndLoad(shape, DType::kF32, "batch.gguf");
  ASSERT_NE(model, nullptr);
  ThreadPool pool(2);
  std::vector<TokenId> tokens = {1, 7, 99, 42, 420, 3, 17};
  Session batched(*model, pool);
  ASSERT_TRUE(batched.Eval(tokens, /*all_logits=*/true).ok());
  Session single(*model, pool);
  const int64_t n_vocab = model->hparams().n_vocab;
  for (size_t t = 0; t < tokens.size(); ++t) {
    ASSERT_TRUE(single.Eval(std::span<const TokenId>(&tokens[t], 1)).ok());
    for (int64_t v = 0; v < n_vocab; ++v) {
      ASSERT_NEAR(single.logits()[v], batched.logits()[t * n_vocab + v], kBatchVsSingleTolerance)
          << "token " << t << " vocab " << v;
    }
  }
}

TEST(Session, SplitsInputsLongerThanTheBatch) {
  SynthShape shape = SmallShape("llama", false, false);
  auto model = SynthAndLoad(shape, DType::kF32, "split.gguf");
  ASSERT_NE(model, nullptr);
  ThreadPool pool(1);
  std::vector<TokenId> tokens = {1, 7, 99, 42, 420, 3, 17, 8, 9};
  Session whole(*model, pool);
  ASSERT_TRUE(whole.Eval(tokens).ok());
  SessionOptions small;
  small.max_batch = 4;
  Session split(*model, pool, small);
  ASSERT_TRUE(split.Eval(tokens).ok());
  for (size_t v = 0; v < whole.logits().size(); ++v) {
    ASSERT_NEAR(whole.logits()[v], split.logits()[v], kBatchVsSingleTolerance);
  }
}

TEST(Session, RejectsTokensOutsideTheVocabulary) {
  SynthShape shape = SmallShape("llama", false, false);
  auto model = SynthAndLoad(shape, DType::kQ8_0, "vocab.gguf");
  ASSERT_NE(model, nullptr);
  ThreadPool pool(1);
  Session session(*model, pool);
  std::vector<TokenId> bad = {1, 600};
  Status status = session.Eval(bad);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(session.n_past(), 0);
  std::vector<TokenId> negative = {-1};
  EXPECT_EQ(session.Eval(negative).code(), StatusCode::kInvalidArgument);
}

TEST(Session, RejectsInputPastTheContext) {
  SynthShape shape = SmallShape("llama", false, false);
  auto model = SynthAndLoad(shape, DType::kQ8_0, "ctx.gguf");
  ASSERT_NE(model, nullptr);
  ThreadPool pool(1);
  SessionOptions options;
  options.n_ctx = 4;
  Session session(*model, pool, options);
  std::vector<TokenId> five = {1, 2, 3, 4, 5};
  EXPECT_EQ(session.Eval(five).code(), StatusCode::kOutOfRange);
  std::vector<TokenId> four = {1, 2, 3, 4};
  EXPECT_TRUE(session.Eval(four).ok());
  std::vector<TokenId> one = {1};
  EXPECT_EQ(session.Eval(one).code(), StatusCode::kOutOfRange);
}

TEST(Model, RejectsAnUnknownArchitecture) {
  GgufWriter writer;
  writer.Add("general.architecture", GgufValue::String("mamba"));
  const std::string path = TempPath("mamba.gguf");
  ASSERT_TRUE(writer.WriteFile(path).ok());
  auto model = Model::Load(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(model.status().message().find("mamba"), std::string::npos);
}

TEST(Model, RejectsMissingTensorsAndWrongShapes) {
  // Head count that does not divide: 128-dim, 3 KV heads of 4.
  GgufWriter writer;
  writer.Add("general.architecture", GgufValue::String("llama"));
  writer.Add("llama.embedding_length", GgufValue::Uint32(128));
  writer.Add("llama.block_count", GgufValue::Uint32(1));
  writer.Add("llama.feed_forward_length", GgufValue::Uint32(256));
  writer.Add("llama.attention.head_count", GgufValue::Uint32(4));
  writer.Add("llama.attention.head_count_kv", GgufValue::Uint32(3));
  const std::string path = TempPath("badheads.gguf");
  ASSERT_TRUE(writer.WriteFile(path).ok());
  auto model = Model::Load(path);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("head_count_kv"), std::string::npos) << model.status().ToString();

  writer.Add("llama.attention.head_count_kv", GgufValue::Uint32(2));
  ASSERT_TRUE(writer.WriteFile(path).ok());
  model = Model::Load(path);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("token_embd.weight"), std::string::npos) << model.status().ToString();

  writer.Add("llama.embedding_length", GgufValue::Uint64(uint64_t{1} << 40));
  ASSERT_TRUE(writer.WriteFile(path).ok());
  model = Model::Load(path);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("embedding_length"), std::string::npos) << model.status().ToString();
}

}  // namespace
}  // namespace fab::model
