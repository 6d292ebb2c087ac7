// The shared blocks on a synthesized model through a recording KvSink: keys
// are rotated at each row's own position (rows of one batch may sit at any
// positions), values are not, attention goes through the sink once per layer,
// and each block leaves the next block's input norm in scratch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include <unistd.h>

#include "model/blocks.h"
#include "model/model.h"
#include "model/synth.h"

namespace fab::model {
namespace {

// Keeps the last step's K/V rows; attention passes q through unchanged.
class RecordingKvSink final : public KvSink {
 public:
  RecordingKvSink(int64_t n_rows, int64_t kv_dim, int64_t q_dim)
      : n_rows_(n_rows), q_dim_(q_dim), k_(n_rows * kv_dim), v_(n_rows * kv_dim) {}

  Rows KvRows(int64_t /*layer*/) override { return {k_.data(), v_.data()}; }
  void Attend(int64_t layer, const float* q, float* out, ThreadPool& /*pool*/) override {
    attended_layers.push_back(layer);
    std::copy(q, q + n_rows_ * q_dim_, out);
  }

  const std::vector<float>& k() const { return k_; }
  const std::vector<float>& v() const { return v_; }
  std::vector<int64_t> attended_layers;

 private:
  int64_t n_rows_;
  int64_t q_dim_;
  std::vector<float> k_, v_;
};

class BlocksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    static const SynthShape shape{"test", "llama", 128, 2, 4, 2, 256, 600, 256, 10000.0f, false, false};
    ThreadPool pool(1);
    SynthOptions options;
    options.shape = &shape;
    options.quant = DType::kQ8_0;
    options.out_path =
        (std::filesystem::temp_directory_path() / ("tokenfab_blocks_test_" + std::to_string(getpid()) + ".gguf"))
            .string();
    ASSERT_TRUE(SynthesizeModel(options, pool).ok());
    auto loaded = Model::Load(options.out_path);
    std::filesystem::remove(options.out_path);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    model_ = std::move(loaded).value().release();
  }
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }

  // Runs AttentionBlock of layer 0 for the same token at each of `positions`.
  struct Result {
    std::vector<float> k, v, x, norm;
    std::vector<int64_t> attended_layers;
  };
  Result RunAttention(const std::vector<int32_t>& positions) {
    const ModelHparams& hp = model_->hparams();
    const int64_t n = static_cast<int64_t>(positions.size());
    std::vector<TokenId> tokens(positions.size(), 42);
    std::vector<float> x(n * hp.n_embd), norm(n * hp.n_embd), q(n * hp.q_dim()), attn(n * hp.q_dim()),
        gate(n * hp.n_ff), up(n * hp.n_ff);
    EmbedTokens(hp, model_->weights(), tokens, x.data());
    const LayerWeights& layer = model_->weights().layers[0];
    NormRows(hp, x.data(), layer.attn_norm, n, norm.data(), pool_);
    kernels::RopeParams rope;
    rope.head_dim = static_cast<int>(hp.head_dim);
    rope.n_rot = static_cast<int>(hp.n_rot);
    rope.freq_base = hp.rope_freq_base;
    rope.freq_scale = hp.rope_freq_scale;
    rope.style = hp.rope_style;
    BlockScratch scratch{norm.data(), q.data(), attn.data(), gate.data(), up.data(), nullptr, nullptr, nullptr, nullptr};
    RecordingKvSink sink(n, hp.kv_dim(), hp.q_dim());
    LayerContext ctx{hp, layer, rope, /*apply_rope=*/true, 0, n, positions.data(), x.data(), scratch, nullptr, sink,
                     pool_};
    AttentionBlock(ctx);
    return {sink.k(), sink.v(), x, norm, sink.attended_layers};
  }

  static Model* model_;
  ThreadPool pool_{2};
};

Model* BlocksTest::model_ = nullptr;

std::vector<float> Row(const std::vector<float>& rows, int64_t width, int64_t row) {
  return std::vector<float>(rows.begin() + row * width, rows.begin() + (row + 1) * width);
}

TEST_F(BlocksTest, AttentionRotatesKeysAtEachRowsOwnPosition) {
  const int64_t kv_dim = model_->hparams().kv_dim();
  const Result same = RunAttention({7, 7});
  EXPECT_EQ(Row(same.k, kv_dim, 0), Row(same.k, kv_dim, 1));
  const Result apart = RunAttention({0, 7});
  EXPECT_NE(Row(apart.k, kv_dim, 0), Row(apart.k, kv_dim, 1));
  // Values are not rotated, and a row's key depends only on its own position.
  EXPECT_EQ(Row(apart.v, kv_dim, 0), Row(apart.v, kv_dim, 1));
  EXPECT_EQ(Row(apart.k, kv_dim, 1), Row(same.k, kv_dim, 0));
}

TEST_F(BlocksTest, AttentionGoesThroughTheSinkOncePerCall) {
  EXPECT_EQ(RunAttention({3, 4, 5}).attended_layers, std::vector<int64_t>{0});
}

TEST_F(BlocksTest, AttentionLeavesTheFeedForwardInputNorm) {
  const ModelHparams& hp = model_->hparams();
  const Result result = RunAttention({1, 2});
  std::vector<float> expected(result.norm.size());
  NormRows(hp, result.x.data(), model_->weights().layers[0].ffn_norm, 2, expected.data(), pool_);
  EXPECT_EQ(result.norm, expected);
}

}  // namespace
}  // namespace fab::model

namespace fab::model {
namespace {

TEST(NormHeads, GivesEachHeadUnitRmsTimesItsWeight) {
  constexpr int64_t kRows = 3, kHeads = 4, kHeadDim = 8;
  std::vector<float> rows(kRows * kHeads * kHeadDim);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>((i * 37) % 11) - 5.0f + 0.25f * (i % 3);
  std::vector<float> weight(kHeadDim);
  for (int64_t d = 0; d < kHeadDim; ++d) weight[d] = 0.5f + 0.25f * static_cast<float>(d);
  const std::vector<float> before = rows;
  ThreadPool pool(2);
  NormHeads(rows.data(), kRows, kHeads, kHeadDim, weight, 1e-6f, pool);
  for (int64_t r = 0; r < kRows; ++r) {
    for (int64_t h = 0; h < kHeads; ++h) {
      const float* in = before.data() + (r * kHeads + h) * kHeadDim;
      const float* out = rows.data() + (r * kHeads + h) * kHeadDim;
      double sum_squares = 0;
      for (int64_t d = 0; d < kHeadDim; ++d) sum_squares += double(in[d]) * in[d];
      const double inverse_rms = 1.0 / std::sqrt(sum_squares / kHeadDim + 1e-6);
      for (int64_t d = 0; d < kHeadDim; ++d) {
        EXPECT_NEAR(out[d], in[d] * inverse_rms * weight[d], 1e-5) << "row " << r << " head " << h << " dim " << d;
      }
    }
  }
}

}  // namespace
}  // namespace fab::model
