// Every architecture beyond llama and qwen2 against llama.cpp (d32676d7,
// CPU, 2 threads), with the criteria of ../shared/golden/README.md for F16
// files: same prompt ids, relative RMS ≤ 0.5% of the first-step logits,
// the same first greedy token on at least 4 of 5 prompts, later steps equal
// until a near-tie. The models are `tokenfab model synth --shape
// <family>-tiny --quant f16 --vocab-from llama-2-tiny-random.gguf`, rebuilt
// here. The JSON records the SHA-256 of the file llama.cpp read, for whoever
// remakes the references; this test does not compare it (synth's bytes are
// only checked through the logits: a synth change that alters the weights
// fails the RMS bound, and the references must then be made again). References:
// tests/golden/arch/<family>-tiny.json (llama.cpp's prompt ids, greedy steps
// and top-20) and .<case>.f16 (its first-step logits, rounded to binary16:
// at most 0.05% of their spread). gemma2-tiny and gemma3-tiny slide a window
// of 32 over the fifth prompt's 400 tokens; qwen3moe-tiny routes 4 of 16
// experts, and qwen2moe-tiny adds a gated shared expert. Needs ../shared for the vocabulary; skips without it.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <unistd.h>

#include "cli/logits_report.h"
#include "golden/golden_compare.h"
#include "kernels/quantize.h"
#include "model/model.h"
#include "model/synth.h"
#include "tokenizer/tokenizer.h"

namespace fab::cli {
namespace {

constexpr double kMaxRelativeRms = 0.005;
constexpr int kMinFirstGreedyMatches = 4;

const std::filesystem::path kShared = FAB_SHARED_DIR;
const std::filesystem::path kGolden = std::filesystem::path(FAB_SOURCE_DIR) / "tests" / "golden" / "arch";

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<float> ReadHalfFloats(const std::filesystem::path& path) {
  const std::string bytes = ReadText(path);
  std::vector<float> values(bytes.size() / 2);
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t h;
    std::memcpy(&h, bytes.data() + 2 * i, 2);
    values[i] = kernels::Fp16ToFp32(h);
  }
  return values;
}

class ArchGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ArchGolden, MatchesLlamaCppWithinTheReadmeCriteriaForF16Files) {
  const std::string shape_name = GetParam() + "-tiny";
  const std::filesystem::path vocab = kShared / "models" / "llama-2-tiny-random.gguf";
  if (!std::filesystem::exists(vocab)) GTEST_SKIP() << "needs " << vocab << " for the vocabulary (../shared is absent)";
  const boost::json::object golden = boost::json::parse(ReadText(kGolden / (shape_name + ".json"))).as_object();

  const std::string path = (std::filesystem::temp_directory_path() /
                            ("tokenfab_arch_golden_" + std::to_string(getpid()) + "_" + shape_name + ".gguf"))
                               .string();
  model::SynthOptions synth;
  synth.shape = model::FindSynthShape(shape_name);
  ASSERT_NE(synth.shape, nullptr) << shape_name;
  synth.quant = DType::kF16;
  synth.vocab_from = vocab.string();
  synth.out_path = path;
  ThreadPool pool(2);
  ASSERT_TRUE(model::SynthesizeModel(synth, pool).ok());
  auto model = model::Model::Load(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto tokenizer = Tokenizer::FromGguf((*model)->gguf());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();

  const boost::json::array& cases = golden.at("cases").as_array();
  std::vector<std::string> prompts;
  for (const boost::json::value& c : cases) prompts.emplace_back(c.at("prompt").as_string().c_str());
  const int64_t n_steps = static_cast<int64_t>(cases[0].at("steps").as_array().size());
  auto report = ComputeLogitsReport(**model, **tokenizer, prompts, n_steps, pool);
  std::filesystem::remove(path);
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  int first_matches = 0;
  for (size_t c = 0; c < cases.size(); ++c) {
    const std::string label = shape_name + " case " + std::to_string(c);
    const LogitsCase& ours = report->cases[c];
    const boost::json::object& ref = cases[c].as_object();
    std::vector<TokenId> ref_ids;
    for (const boost::json::value& id : ref.at("prompt_ids").as_array()) ref_ids.push_back(id.to_number<TokenId>());
    EXPECT_EQ(ours.prompt_ids, ref_ids) << label;
    const std::vector<float> ref_logits = ReadHalfFloats(kGolden / (shape_name + "." + std::to_string(c) + ".f16"));
    ASSERT_EQ(ref_logits.size(), ours.first_logits.size()) << label;
    const double rms = RelativeRms(ours.first_logits, ref_logits);
    std::printf("%s: relative RMS %.4f%% against llama.cpp\n", label.c_str(), rms * 100.0);
    EXPECT_LE(rms, kMaxRelativeRms) << label << " (if model synth changed on purpose, the references must be remade)";
    const boost::json::array& ref_steps = ref.at("steps").as_array();
    if (ours.steps[0].greedy == ref_steps[0].at("greedy").to_number<int64_t>()) {
      ++first_matches;
      ExpectLaterStepsAgree(ours, ref_steps, label);
    }
  }
  EXPECT_GE(first_matches, kMinFirstGreedyMatches);
}

INSTANTIATE_TEST_SUITE_P(Architectures, ArchGolden,
                         ::testing::Values("qwen3", "qwen3moe", "qwen2moe", "gemma2", "gemma3", "phi3", "exaone", "exaone4"));

}  // namespace
}  // namespace fab::cli
