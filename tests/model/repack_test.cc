// Repacking at load (LoadOptions::repack_weights): q4_0 / q8_0 layer
// matrices become 16-row panels, token_embd and a tied or ragged output
// stay in the file layout, and the forward pass gives the same logits as
// with the file layout. Stacked experts are packed one by one, when a token
// is first routed to them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <span>
#include <vector>

#include <unistd.h>

#include "kernels/packed_weights.h"
#include "model/model.h"
#include "model/session.h"
#include "model/small_shapes.h"
#include "model/synth.h"

namespace fab::model {
namespace {

// Both layouts quantize activations the same way and sum integer blocks
// exactly; only the float summation order of the block sums differs, by an
// ulp or so (kernels/packed_weights_test.cc checks each MatMul tightly).
// Through a whole model that ulp can land an activation on a round-half
// boundary and flip one int8 code of the next matrix's input; this random
// model amplifies such a flip to a few hundredths of a logit. So a position
// either agrees to kPackedVsFileLogitTolerance or, rarely, carries a flip:
// still the same argmax and within kCodeFlipRelativeRms of the logits' RMS.
constexpr float kPackedVsFileLogitTolerance = 2e-3f;
constexpr double kCodeFlipRelativeRms = 0.02;

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tokenfab_repack_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

std::string SynthesizeShape(const SynthShape& shape, DType quant, const std::string& name) {
  ThreadPool pool(2);
  SynthOptions options;
  options.shape = &shape;
  options.quant = quant;
  options.out_path = TempPath(name);
  const Status written = SynthesizeModel(options, pool);
  EXPECT_TRUE(written.ok()) << written.ToString();
  return options.out_path;
}

// n_embd 128, n_ff 256, kv 64 rows: every layer matrix packs; a vocabulary
// of 600 rows is not a whole number of panels, so the output stays unpacked.
std::string Synthesize(DType quant, bool tied, const std::string& name) {
  const SynthShape shape{"test", "llama", 128, 2, 4, 2, 256, 600, 256, 10000.0f, tied, false};
  return SynthesizeShape(shape, quant, name);
}

std::unique_ptr<Model> LoadWith(const std::string& path, bool repack) {
  LoadOptions options;
  options.repack_weights = repack;
  auto model = Model::Load(path, options);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(model).value() : nullptr;
}

class Repack : public ::testing::TestWithParam<DType> {};

TEST_P(Repack, PacksLayerMatricesButNotTheEmbeddingOrARaggedOutput) {
  const std::string path = Synthesize(GetParam(), false, std::string("layout_") + DTypeName(GetParam()));
  auto model = LoadWith(path, true);
  ASSERT_NE(model, nullptr);
  const ModelWeights& w = model->weights();
  const DType packed = *kernels::PackedDTypeOf(GetParam());
  for (const LayerWeights& layer : w.layers) {
    for (const TensorView* m :
         {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w_gate, &layer.w_up, &layer.w_down}) {
      EXPECT_EQ(m->dtype, packed);
    }
  }
  EXPECT_EQ(w.token_embd.dtype, GetParam());
  EXPECT_EQ(w.output.dtype, GetParam());  // 600 rows
  auto unpacked = LoadWith(path, false);
  ASSERT_NE(unpacked, nullptr);
  EXPECT_EQ(unpacked->weights().layers[0].wq.dtype, GetParam());
  EXPECT_TRUE(unpacked->weights().packed_storage.empty());
  std::filesystem::remove(path);
}

// How one position's logits on the packed model compare with the file layout's.
struct PositionDiff {
  float max_abs = 0.0f;
  double relative_rms = 0.0;
  bool same_argmax = true;
};

PositionDiff Compare(std::span<const float> packed, std::span<const float> file) {
  PositionDiff diff;
  double squares = 0.0, file_squares = 0.0;
  for (size_t i = 0; i < file.size(); ++i) {
    const double d = static_cast<double>(packed[i]) - file[i];
    diff.max_abs = std::max(diff.max_abs, static_cast<float>(std::fabs(d)));
    squares += d * d;
    file_squares += static_cast<double>(file[i]) * file[i];
  }
  diff.relative_rms = std::sqrt(squares / std::max(file_squares, 1e-30));
  diff.same_argmax = std::max_element(packed.begin(), packed.end()) - packed.begin() ==
                     std::max_element(file.begin(), file.end()) - file.begin();
  return diff;
}

TEST_P(Repack, GivesTheSameLogitsAsTheFileLayout) {
  const std::string path = Synthesize(GetParam(), false, std::string("logits_") + DTypeName(GetParam()));
  auto packed = LoadWith(path, true);
  auto file = LoadWith(path, false);
  ASSERT_NE(packed, nullptr);
  ASSERT_NE(file, nullptr);
  ThreadPool pool(2);
  const int64_t n_vocab = file->hparams().n_vocab;
  std::vector<PositionDiff> diffs;
  // A prompt (GEMM tiles with a ragged tail), then single tokens (GEMV).
  const std::vector<TokenId> prompt = {1, 7, 99, 42, 420, 3, 17, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  Session on_packed(*packed, pool);
  Session on_file(*file, pool);
  ASSERT_TRUE(on_packed.Eval(prompt, /*all_logits=*/true).ok());
  ASSERT_TRUE(on_file.Eval(prompt, /*all_logits=*/true).ok());
  ASSERT_EQ(on_packed.logits().size(), on_file.logits().size());
  for (size_t p = 0; p < prompt.size(); ++p) {
    diffs.push_back(Compare(std::span(on_packed.logits()).subspan(p * n_vocab, n_vocab),
                            std::span(on_file.logits()).subspan(p * n_vocab, n_vocab)));
  }
  for (TokenId token : {5, 77, 599}) {
    ASSERT_TRUE(on_packed.Eval(std::span<const TokenId>(&token, 1)).ok());
    ASSERT_TRUE(on_file.Eval(std::span<const TokenId>(&token, 1)).ok());
    diffs.push_back(Compare(on_packed.logits(), on_file.logits()));
  }
  size_t n_flipped = 0;
  for (size_t p = 0; p < diffs.size(); ++p) {
    EXPECT_TRUE(diffs[p].same_argmax) << "position " << p;
    EXPECT_LE(diffs[p].relative_rms, kCodeFlipRelativeRms) << "position " << p;
    if (diffs[p].max_abs > kPackedVsFileLogitTolerance) ++n_flipped;
  }
  EXPECT_LE(n_flipped, diffs.size() / 4) << "positions beyond " << kPackedVsFileLogitTolerance
                                         << ": more than rare code flips";
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Q4AndQ8, Repack, ::testing::Values(DType::kQ4_0, DType::kQ8_0),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

TEST(RepackWeights, LeavesATiedOutputInTheFile) {
  const std::string path = Synthesize(DType::kQ8_0, true, "tied");
  auto model = LoadWith(path, true);
  ASSERT_NE(model, nullptr);
  EXPECT_TRUE(model->weights().tied_output);
  EXPECT_EQ(model->weights().output.dtype, DType::kQ8_0);
  EXPECT_EQ(model->weights().layers[1].w_down.dtype, DType::kQ8_0x16);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace fab::model

namespace fab::model {
namespace {

TEST(RepackExperts, PacksAnExpertWhenATokenIsFirstRoutedToItAndKeepsItsBytes) {
  const SynthShape shape = SmallShapeOf("qwen3moe");  // 2 layers, 16 experts, 4 per token
  const std::string path = SynthesizeShape(shape, DType::kQ4_0, "experts");
  auto packed = LoadWith(path, true);
  auto file = LoadWith(path, false);
  ASSERT_NE(packed, nullptr);
  ASSERT_NE(file, nullptr);
  ExpertPanels* panels = packed->weights().expert_panels.get();
  ASSERT_NE(panels, nullptr);
  EXPECT_EQ(panels->packed_count(), 0) << "loading touches no expert";
  EXPECT_EQ(file->weights().expert_panels, nullptr);

  ThreadPool pool(2);
  Session on_packed(*packed, pool);
  Session on_file(*file, pool);
  const TokenId first = 7;
  ASSERT_TRUE(on_packed.Eval(std::span<const TokenId>(&first, 1)).ok());
  ASSERT_TRUE(on_file.Eval(std::span<const TokenId>(&first, 1)).ok());
  // One token: its 4 experts per layer, gate, up and down of each.
  EXPECT_EQ(panels->packed_count(), shape.n_layer * shape.n_expert_used * 3);
  EXPECT_TRUE(Compare(on_packed.logits(), on_file.logits()).same_argmax);

  const std::vector<TokenId> prompt = {1, 99, 42, 420, 3, 17, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  ASSERT_TRUE(on_packed.Eval(prompt).ok());
  ASSERT_TRUE(on_file.Eval(prompt).ok());
  const PositionDiff diff = Compare(on_packed.logits(), on_file.logits());
  EXPECT_TRUE(diff.same_argmax);
  EXPECT_LE(diff.relative_rms, kCodeFlipRelativeRms);
  EXPECT_LE(panels->packed_count(), shape.n_layer * shape.n_expert * 3);

  // Every expert's panels unpack to its rows in the file.
  const LayerWeights& layer = file->weights().layers[1];
  for (int64_t e = 0; e < shape.n_expert; ++e) {
    const TensorView view = panels->Get(1, ExpertPanels::kDown, e, pool);
    const TensorView rows = ExpertMatrix(layer.ffn_down_exps, e, shape.n_embd);
    ASSERT_EQ(view.dtype, *kernels::PackedDTypeOf(DType::kQ4_0));
    std::vector<uint8_t> unpacked(static_cast<size_t>(rows.n_bytes()));
    for (int64_t p = 0; p < rows.n_rows() / kernels::kPanelRows; ++p) {
      kernels::UnpackPanel(view.dtype, view.row(p * kernels::kPanelRows), rows.row_bytes(), rows.row_length(),
                           unpacked.data() + p * kernels::kPanelRows * rows.row_bytes());
    }
    const auto* file_bytes = static_cast<const uint8_t*>(rows.data);
    ASSERT_TRUE(std::equal(unpacked.begin(), unpacked.end(), file_bytes)) << "expert " << e;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace fab::model
