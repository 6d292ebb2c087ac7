// The architecture files beyond llama/qwen2/qwen3 read their hparams and
// bind their weights as llama.cpp does (small synthesized files of each
// family, tests/model/small_shapes.h), and refuse inconsistent files with an
// error that names the key: an expert count of 0 or 10^9, a top-k above the
// expert count, a sliding window larger than the context, a pattern beyond
// the layer count. Numeric fidelity to llama.cpp is tests/golden/arch_golden_test.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <unistd.h>

#include "gguf/gguf_writer.h"
#include "model/arch_spec.h"
#include "model/model.h"
#include "model/small_shapes.h"
#include "model/synth.h"

namespace fab::model {
namespace {

// This process's files, in one directory removed when the tests end.
const std::filesystem::path& TempDir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() / ("tokenfab_arch_families_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

class RemoveTempDir : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(TempDir(), ignored);
  }
};
[[maybe_unused]] ::testing::Environment* const kRemoveTempDir =
    ::testing::AddGlobalTestEnvironment(new RemoveTempDir);

std::string TempPath(const std::string& name) { return (TempDir() / name).string(); }

std::string Synthesize(std::string_view family) {
  static std::vector<std::unique_ptr<SynthShape>> shapes;
  shapes.push_back(std::make_unique<SynthShape>(SmallShapeOf(family)));
  ThreadPool pool(2);
  SynthOptions options;
  options.shape = shapes.back().get();
  options.quant = DType::kQ8_0;
  options.out_path = TempPath(std::string(family) + ".gguf");
  const Status written = SynthesizeModel(options, pool);
  EXPECT_TRUE(written.ok()) << written.ToString();
  return options.out_path;
}

struct Loaded {
  GgufFile gguf;
  ModelHparams hp;
  ModelWeights weights;
};

Loaded ReadAndBind(std::string_view family) {
  auto gguf = GgufFile::Open(Synthesize(family));
  EXPECT_TRUE(gguf.ok()) << gguf.status().ToString();
  const ArchSpec* arch = FindArch(gguf->GetString("general.architecture").value()).value();
  auto hp = arch->read_hparams(*gguf, HparamLimits{});
  EXPECT_TRUE(hp.ok()) << hp.status().ToString();
  auto weights = arch->bind_weights(*gguf, *hp);
  EXPECT_TRUE(weights.ok()) << weights.status().ToString();
  return Loaded{std::move(gguf).value(), std::move(hp).value(), std::move(weights).value()};
}

// A copy of `family`'s file with metadata `key` set to `value` (added when absent).
std::string WithKey(std::string_view family, const std::string& key, GgufValue value) {
  auto source = GgufFile::Open(Synthesize(family));
  EXPECT_TRUE(source.ok());
  GgufWriter writer;
  bool replaced = false;
  for (const auto& [k, v] : source->metadata()) {
    if (k == key) {
      writer.Add(k, value);
      replaced = true;
    } else {
      writer.Add(k, v);
    }
  }
  if (!replaced) writer.Add(key, value);
  for (const GgufTensorInfo& t : source->tensors()) {
    const auto* bytes = static_cast<const uint8_t*>(t.view.data);
    writer.AddTensor(t.name, t.dtype, std::vector<int64_t>(t.ne, t.ne + t.n_dims),
                     std::vector<uint8_t>(bytes, bytes + t.n_bytes));
  }
  const std::string path = TempPath(std::string(family) + "_" + key + ".gguf");
  EXPECT_TRUE(writer.WriteFile(path).ok());
  return path;
}

// Model::Load and CheckLoadable (model inspect) both refuse, naming `key`.
void ExpectRefusedNaming(const std::string& path, const std::string& key) {
  auto model = Model::Load(path);
  ASSERT_FALSE(model.ok()) << path;
  EXPECT_NE(model.status().message().find(key), std::string::npos) << model.status().ToString();
  auto gguf = GgufFile::Open(path);
  ASSERT_TRUE(gguf.ok());
  const Status checked = CheckLoadable(*gguf);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.message().find(key), std::string::npos) << checked.ToString();
}

TEST(ArchFamilies, Gemma2SoftCapsScalesEmbeddingsAndAlternatesSlidingLayers) {
  const Loaded m = ReadAndBind("gemma2");
  EXPECT_EQ(m.hp.rope_style, kernels::RopeStyle::kNeox);
  EXPECT_EQ(m.hp.ffn_activation, FeedForwardActivation::kGelu);
  EXPECT_FLOAT_EQ(m.hp.attn_softcap, 50.0f);  // llama.cpp's defaults when the keys are absent
  EXPECT_FLOAT_EQ(m.hp.final_softcap, 30.0f);
  EXPECT_FLOAT_EQ(m.hp.embd_scale, std::sqrt(128.0f));
  EXPECT_EQ(m.hp.sliding_window, kTestWindow);
  EXPECT_EQ(m.hp.sliding_layers, (std::vector<uint8_t>{1, 0}));
  for (const LayerWeights& layer : m.weights.layers) {
    EXPECT_EQ(layer.attn_post_norm.size(), 128u);
    EXPECT_EQ(layer.ffn_post_norm.size(), 128u);
    EXPECT_TRUE(layer.attn_q_norm.empty());
  }
}

TEST(ArchFamilies, Gemma3SlidesFiveOfSixLayersWithTheirOwnRopeBaseAndQkNorms) {
  const Loaded m = ReadAndBind("gemma3");
  EXPECT_EQ(m.hp.sliding_layers, (std::vector<uint8_t>{1, 1, 0}));  // pattern 3 on three layers
  EXPECT_FLOAT_EQ(m.hp.rope_freq_base, 1000000.0f);
  EXPECT_FLOAT_EQ(m.hp.rope_freq_base_swa, 10000.0f);
  EXPECT_FLOAT_EQ(m.hp.attn_softcap, 0.0f);
  EXPECT_FLOAT_EQ(m.hp.final_softcap, 0.0f);
  EXPECT_FLOAT_EQ(m.hp.attn_scale, 1.0f / 8.0f);  // 1 / sqrt(head_dim 64)
  const LayerRopes ropes = LayerRopesFor(m.hp, m.weights);
  EXPECT_FLOAT_EQ(ropes.global.freq_base, 1000000.0f);
  EXPECT_FLOAT_EQ(ropes.sliding.freq_base, 10000.0f);
  EXPECT_EQ(AttentionShapeFor(m.hp, 0).window, kTestWindow);
  EXPECT_EQ(AttentionShapeFor(m.hp, 2).window, 0);
  EXPECT_EQ(m.weights.layers[0].attn_q_norm.size(), 64u);
}

TEST(ArchFamilies, Phi3BindsItsFusedMatricesAsRowSlices) {
  const Loaded m = ReadAndBind("phi3");
  const LayerWeights& layer = m.weights.layers[0];
  const GgufTensorInfo* qkv = m.gguf.FindTensor("blk.0.attn_qkv.weight");
  ASSERT_NE(qkv, nullptr);
  EXPECT_EQ(layer.wq.data, qkv->view.data);
  EXPECT_EQ(layer.wk.data, qkv->view.row(m.hp.q_dim()));
  EXPECT_EQ(layer.wv.data, qkv->view.row(m.hp.q_dim() + m.hp.kv_dim()));
  EXPECT_EQ(layer.wv.ne[1], m.hp.kv_dim());
  const GgufTensorInfo* up = m.gguf.FindTensor("blk.0.ffn_up.weight");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(layer.w_gate.data, up->view.data);  // the gate is the first half
  EXPECT_EQ(layer.w_up.data, up->view.row(m.hp.n_ff));
}

TEST(ArchFamilies, Exaone4HasNoInputNormsAndOnlyItsSixtyFourLayerShapeSlides) {
  const Loaded small = ReadAndBind("exaone4");
  EXPECT_TRUE(small.weights.layers[0].attn_norm.empty());
  EXPECT_TRUE(small.weights.layers[0].ffn_norm.empty());
  EXPECT_FALSE(small.hp.has_sliding_layers());
  const Loaded big = ReadAndBind("exaone4-swa");
  EXPECT_TRUE(big.hp.has_sliding_layers());
  EXPECT_FALSE(big.hp.rope_on_global_layers);
  EXPECT_TRUE(big.hp.IsSlidingLayer(0));
  EXPECT_FALSE(big.hp.IsSlidingLayer(3));
}

TEST(ArchFamilies, Qwen3MoeBindsTheRouterAndStackedExperts) {
  const Loaded m = ReadAndBind("qwen3moe");
  EXPECT_EQ(m.hp.n_expert, 16);
  EXPECT_EQ(m.hp.n_expert_used, 4);
  EXPECT_EQ(m.hp.n_ff_expert, 64);
  EXPECT_TRUE(m.hp.norm_expert_weights);
  const LayerWeights& layer = m.weights.layers[1];
  EXPECT_EQ(layer.ffn_gate_inp.dtype, DType::kF32);  // routers stay float, as llama.cpp keeps them
  EXPECT_EQ(layer.ffn_gate_exps.n_rows(), 16 * 64);
  const TensorView expert3 = ExpertMatrix(layer.ffn_down_exps, 3, m.hp.n_embd);
  EXPECT_EQ(expert3.n_rows(), m.hp.n_embd);
  EXPECT_EQ(expert3.data, layer.ffn_down_exps.row(3 * m.hp.n_embd));
  // 2 layers of 4 of 16 experts' 3 matrices are read per token, not all 16.
  const int64_t expert_bytes = layer.ffn_gate_exps.n_bytes() * 3 / 16 * 4 * 2;
  EXPECT_LT(m.weights.BytesPerToken(), expert_bytes + m.weights.output.n_bytes() + 2 * 1000 * 1000);
}

TEST(ArchFamilies, Qwen2MoeBindsASharedExpertAndKeepsTheSoftmaxWeights) {
  const Loaded m = ReadAndBind("qwen2moe");
  EXPECT_EQ(m.hp.n_expert, 16);
  EXPECT_EQ(m.hp.n_ff_shared, 128);
  EXPECT_FALSE(m.hp.norm_expert_weights);
  EXPECT_TRUE(m.hp.has_qkv_bias);
  const LayerWeights& layer = m.weights.layers[0];
  EXPECT_EQ(layer.ffn_gate_shexp.n_rows(), 128);
  EXPECT_EQ(layer.ffn_down_shexp.row_length(), 128);
  EXPECT_EQ(layer.ffn_gate_inp_shexp.n_rows(), 1);
  EXPECT_FALSE(layer.bq.empty());
}

TEST(ArchFamilies, Qwen2MoeWithoutTheSharedExpertGateIsRefusedNamingTheTensor) {
  const std::string path = Synthesize("qwen2moe");
  auto source = GgufFile::Open(path);
  ASSERT_TRUE(source.ok());
  GgufWriter writer;
  for (const auto& [k, v] : source->metadata()) writer.Add(k, v);
  for (const GgufTensorInfo& t : source->tensors()) {
    if (t.name == "blk.1.ffn_gate_inp_shexp.weight") continue;
    const auto* bytes = static_cast<const uint8_t*>(t.view.data);
    writer.AddTensor(t.name, t.dtype, std::vector<int64_t>(t.ne, t.ne + t.n_dims),
                     std::vector<uint8_t>(bytes, bytes + t.n_bytes));
  }
  const std::string without = TempPath("qwen2moe_no_gate.gguf");
  ASSERT_TRUE(writer.WriteFile(without).ok());
  ExpectRefusedNaming(without, "blk.1.ffn_gate_inp_shexp.weight");
}

TEST(ArchFamilies, TopExpertsPicksTheLargestAndRenormalizes) {
  const float probs[] = {0.1f, 0.3f, 0.05f, 0.3f, 0.25f};
  int32_t experts[3];
  float weights[3];
  TopExperts(probs, 5, 3, /*normalize=*/true, experts, weights);
  EXPECT_EQ(experts[0], 1);  // a tie goes to the lower index
  EXPECT_EQ(experts[1], 3);
  EXPECT_EQ(experts[2], 4);
  EXPECT_NEAR(weights[0] + weights[1] + weights[2], 1.0f, 1e-6f);
  EXPECT_NEAR(weights[2], 0.25f / 0.85f, 1e-6f);
}

TEST(ArchFamilies, RefusesAnExpertCountOfZeroOrABillion) {
  ExpectRefusedNaming(WithKey("qwen3moe", "qwen3moe.expert_count", GgufValue::Uint32(0)), "qwen3moe.expert_count");
  ExpectRefusedNaming(WithKey("qwen3moe", "qwen3moe.expert_count", GgufValue::Uint32(1000000000)),
                      "qwen3moe.expert_count");
}

TEST(ArchFamilies, RefusesMoreExpertsPerTokenThanExperts) {
  ExpectRefusedNaming(WithKey("qwen3moe", "qwen3moe.expert_used_count", GgufValue::Uint32(17)),
                      "qwen3moe.expert_used_count");
}

TEST(ArchFamilies, RefusesAWindowLargerThanTheContext) {
  ExpectRefusedNaming(WithKey("gemma3", "gemma3.attention.sliding_window", GgufValue::Uint32(100000)),
                      "gemma3.attention.sliding_window");
  ExpectRefusedNaming(WithKey("gemma2", "gemma2.attention.sliding_window_pattern", GgufValue::Uint32(1000)),
                      "gemma2.attention.sliding_window_pattern");
}

TEST(ArchFamilies, RefusesMixtralStyleLlamaFiles) {
  ExpectRefusedNaming(WithKey("llama", "llama.expert_count", GgufValue::Uint32(8)), "llama.expert_count");
}

}  // namespace
}  // namespace fab::model
