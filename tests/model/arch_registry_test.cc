// The architecture registry and the per-architecture files: general.architecture
// names resolve to their specs, unknown names get an error that lists the
// supported ones, and each spec reads its own hparams and binds its own
// weights (qwen2: NeoX RoPE and Q/K/V biases on top of llama's tensors;
// qwen3: NeoX RoPE, wider heads and per-head QK-norm weights, no biases).
#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include "model/arch_spec.h"
#include "model/synth.h"

namespace fab::model {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("tokenfab_arch_registry_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

// A small synthesized file of architecture `arch`, opened.
GgufFile SynthesizeAndOpen(const char* arch, int64_t head_dim = 0) {
  const SynthShape shape{"test", arch, 128, 2, 4, 2, 256, 600, 256, 10000.0f, false, false, head_dim};
  ThreadPool pool(2);
  SynthOptions options;
  options.shape = &shape;
  options.quant = DType::kQ8_0;
  options.out_path = TempPath(std::string(arch) + ".gguf");
  const Status written = SynthesizeModel(options, pool);
  EXPECT_TRUE(written.ok()) << written.ToString();
  auto gguf = GgufFile::Open(options.out_path);
  EXPECT_TRUE(gguf.ok()) << gguf.status().ToString();
  return std::move(gguf).value();
}

TEST(ArchRegistry, ResolvesEachArchitectureByItsGeneralArchitectureName) {
  for (const char* name : {"llama", "qwen2", "qwen3"}) {
    auto spec = FindArch(name);
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    EXPECT_STREQ((*spec)->name, name);
    EXPECT_NE((*spec)->read_hparams, nullptr);
    EXPECT_NE((*spec)->bind_weights, nullptr);
    EXPECT_NE((*spec)->forward_layer, nullptr);
  }
  EXPECT_EQ(FindArch("llama").value(), &LlamaArch());
  EXPECT_EQ(FindArch("qwen2").value(), &Qwen2Arch());
  EXPECT_EQ(FindArch("qwen3").value(), &Qwen3Arch());
}

TEST(ArchRegistry, RejectsAnUnknownArchitectureNamingTheSupportedOnes) {
  for (const char* name : {"mamba", "", "LLAMA", "llama2"}) {
    auto spec = FindArch(name);
    ASSERT_FALSE(spec.ok()) << name;
    EXPECT_EQ(spec.status().code(), StatusCode::kUnimplemented);
    EXPECT_EQ(spec.status().message(),
              "general.architecture '" + std::string(name) +
                  "' is not supported (supported: llama, qwen2, qwen2moe, qwen3, qwen3moe, gemma2, gemma3, phi3, exaone, exaone4)");
  }
}

TEST(ArchFiles, LlamaReadsAdjacentPairRopeAndBindsNoBiases) {
  GgufFile gguf = SynthesizeAndOpen("llama");
  auto hp = LlamaArch().read_hparams(gguf, HparamLimits{});
  ASSERT_TRUE(hp.ok()) << hp.status().ToString();
  EXPECT_EQ(hp->arch, "llama");
  EXPECT_EQ(hp->rope_style, kernels::RopeStyle::kNormal);
  EXPECT_FALSE(hp->has_qkv_bias);
  EXPECT_EQ(hp->n_vocab, 0);
  auto weights = LlamaArch().bind_weights(gguf, *hp);
  ASSERT_TRUE(weights.ok()) << weights.status().ToString();
  EXPECT_EQ(hp->n_vocab, 600);
  ASSERT_EQ(weights->layers.size(), 2u);
  for (const LayerWeights& layer : weights->layers) {
    EXPECT_TRUE(layer.bq.empty() && layer.bk.empty() && layer.bv.empty());
    EXPECT_EQ(layer.w_down.ne[0], 256);  // [n_embd rows, n_ff]
    EXPECT_EQ(layer.w_down.ne[1], 128);
  }
}

TEST(ArchFiles, Qwen2ReadsNeoxRopeAndBindsQkvBiases) {
  GgufFile gguf = SynthesizeAndOpen("qwen2");
  auto hp = Qwen2Arch().read_hparams(gguf, HparamLimits{});
  ASSERT_TRUE(hp.ok()) << hp.status().ToString();
  EXPECT_EQ(hp->arch, "qwen2");
  EXPECT_EQ(hp->rope_style, kernels::RopeStyle::kNeox);
  EXPECT_TRUE(hp->has_qkv_bias);
  auto weights = Qwen2Arch().bind_weights(gguf, *hp);
  ASSERT_TRUE(weights.ok()) << weights.status().ToString();
  for (const LayerWeights& layer : weights->layers) {
    EXPECT_EQ(static_cast<int64_t>(layer.bq.size()), hp->q_dim());
    EXPECT_EQ(static_cast<int64_t>(layer.bk.size()), hp->kv_dim());
    EXPECT_EQ(static_cast<int64_t>(layer.bv.size()), hp->kv_dim());
  }
}

TEST(ArchFiles, Qwen3ReadsNeoxRopeAndItsKeyLengthAndBindsQkNormsWithoutBiases) {
  GgufFile gguf = SynthesizeAndOpen("qwen3", /*head_dim=*/64);  // 4 heads of 64 on a 128-wide embedding
  auto hp = Qwen3Arch().read_hparams(gguf, HparamLimits{});
  ASSERT_TRUE(hp.ok()) << hp.status().ToString();
  EXPECT_EQ(hp->arch, "qwen3");
  EXPECT_EQ(hp->rope_style, kernels::RopeStyle::kNeox);
  EXPECT_FALSE(hp->has_qkv_bias);
  EXPECT_EQ(hp->head_dim, 64);
  EXPECT_EQ(hp->n_rot, 64);
  EXPECT_EQ(hp->q_dim(), 256);
  auto weights = Qwen3Arch().bind_weights(gguf, *hp);
  ASSERT_TRUE(weights.ok()) << weights.status().ToString();
  for (const LayerWeights& layer : weights->layers) {
    EXPECT_EQ(layer.attn_q_norm.size(), 64u);
    EXPECT_EQ(layer.attn_k_norm.size(), 64u);
    EXPECT_TRUE(layer.bq.empty());
    EXPECT_EQ(layer.wq.ne[1], 256);  // [q_dim rows, n_embd]
  }
}

TEST(ArchFiles, Qwen3BindingRefusesTensorsWithoutQkNorms) {
  GgufFile gguf = SynthesizeAndOpen("qwen2");
  auto hp = Qwen2Arch().read_hparams(gguf, HparamLimits{});
  ASSERT_TRUE(hp.ok()) << hp.status().ToString();
  auto weights = Qwen3Arch().bind_weights(gguf, *hp);
  ASSERT_FALSE(weights.ok());
  EXPECT_EQ(weights.status().code(), StatusCode::kNotFound);
  EXPECT_NE(weights.status().message().find("blk.0.attn_q_norm.weight"), std::string::npos)
      << weights.status().ToString();
}

TEST(ArchFiles, Qwen2BindingRefusesLlamaTensorsWithoutBiases) {
  GgufFile gguf = SynthesizeAndOpen("llama");
  auto hp = LlamaArch().read_hparams(gguf, HparamLimits{});
  ASSERT_TRUE(hp.ok()) << hp.status().ToString();
  auto weights = Qwen2Arch().bind_weights(gguf, *hp);
  ASSERT_FALSE(weights.ok());
  EXPECT_EQ(weights.status().code(), StatusCode::kNotFound);
  EXPECT_NE(weights.status().message().find("blk.0.attn_q.bias"), std::string::npos) << weights.status().ToString();
}

TEST(ArchFiles, ReadHparamsHonoursTheCallersLimits) {
  GgufFile gguf = SynthesizeAndOpen("llama");
  HparamLimits tight;
  tight.max_layers = 1;
  auto hp = LlamaArch().read_hparams(gguf, tight);
  ASSERT_FALSE(hp.ok());
  EXPECT_NE(hp.status().message().find("llama.block_count"), std::string::npos) << hp.status().ToString();
}

}  // namespace
}  // namespace fab::model
