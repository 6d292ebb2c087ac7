// Logits of every model in ../shared/models against llama.cpp's reference
// outputs (../shared/golden/logits), with the criteria of the golden README:
// same prompt ids; relative RMS ≤ 3% against both references (≤ 0.5% for
// F16/F32 files); the same first greedy token on at least 4 of 5 cases; later
// greedy steps equal until a near-tie.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "cli/logits_report.h"
#include "golden/golden_compare.h"
#include "model/model.h"

namespace fab::cli {
namespace {

constexpr double kMaxRelativeRmsQuantized = 0.03;
constexpr double kMaxRelativeRmsFloat = 0.005;
constexpr int kMinFirstGreedyMatches = 4;

const std::filesystem::path kShared = FAB_SHARED_DIR;

std::vector<float> ReadFloats(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

bool AllMatricesAreFloat(const model::Model& model) {
  for (const GgufTensorInfo& t : model.gguf().tensors()) {
    if (t.dtype != DType::kF32 && t.dtype != DType::kF16 && t.dtype != DType::kBF16) return false;
  }
  return true;
}

class LogitsGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LogitsGolden, MatchesLlamaCppWithinTheReadmeCriteria) {
  const std::string name = GetParam();
  const std::filesystem::path model_path = kShared / "models" / (name + ".gguf");
  const std::filesystem::path golden_path = kShared / "golden" / "logits" / (name + ".json");
  if (!std::filesystem::exists(model_path) || !std::filesystem::exists(golden_path)) {
    GTEST_SKIP() << "needs " << model_path << " and " << golden_path << " (../shared is absent)";
  }
  std::ifstream in(golden_path);
  std::stringstream text;
  text << in.rdbuf();
  const boost::json::object golden = boost::json::parse(text.str()).as_object();
  const boost::json::array& cases = golden.at("cases").as_array();

  auto model = model::Model::Load(model_path.string());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto tokenizer = Tokenizer::FromGguf((*model)->gguf());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  std::vector<std::string> prompts;
  for (const boost::json::value& c : cases) prompts.emplace_back(c.at("prompt").as_string().c_str());
  const int64_t n_steps = static_cast<int64_t>(cases[0].at("steps").as_array().size());
  ThreadPool pool(2);
  auto report = ComputeLogitsReport(**model, **tokenizer, prompts, n_steps, pool);
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  const double max_rms = AllMatricesAreFloat(**model) ? kMaxRelativeRmsFloat : kMaxRelativeRmsQuantized;
  int first_matches = 0;
  for (size_t c = 0; c < cases.size(); ++c) {
    const std::string label = name + " case " + std::to_string(c);
    const LogitsCase& ours = report->cases[c];
    const boost::json::object& ref = cases[c].as_object();
    std::vector<TokenId> ref_ids;
    for (const boost::json::value& id : ref.at("prompt_ids").as_array()) ref_ids.push_back(id.to_number<TokenId>());
    EXPECT_EQ(ours.prompt_ids, ref_ids) << label;
    for (const char* suffix : {"", ".exact"}) {
      const std::vector<float> ref_logits =
          ReadFloats(kShared / "golden" / "logits" / (name + suffix + "." + std::to_string(c) + ".f32"));
      ASSERT_EQ(ref_logits.size(), ours.first_logits.size()) << label;
      const double rms = RelativeRms(ours.first_logits, ref_logits);
      std::printf("%s: relative RMS %.4f%% against reference%s\n", label.c_str(), rms * 100.0, suffix);
      EXPECT_LE(rms, max_rms) << label << " against reference" << suffix;
    }
    const boost::json::array& ref_steps = ref.at("steps").as_array();
    if (ours.steps[0].greedy == ref_steps[0].at("greedy").to_number<int64_t>()) {
      ++first_matches;
      ExpectLaterStepsAgree(ours, ref_steps, label);
    }
  }
  EXPECT_GE(first_matches, std::min<int>(kMinFirstGreedyMatches, static_cast<int>(cases.size())));
}

INSTANTIATE_TEST_SUITE_P(SharedModels, LogitsGolden,
                         ::testing::Values("llama-2-tiny-random", "llama-d256-l2-f16", "llama-d256-l2-q8_0",
                                           "llama-d256-l2-q4_0", "llama-d256-l2-q4_k_m", "qwen2-d256-l2-q8_0"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n) if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace fab::cli
