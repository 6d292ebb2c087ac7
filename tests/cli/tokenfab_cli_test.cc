// Black-box tests of the `tokenfab` binary: each subcommand's output format,
// exit codes, and clear errors for bad arguments and bad files.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <boost/json.hpp>

#include "cli/tokenfab_runner.h"
#include "gguf/gguf_writer.h"

namespace {

namespace fs = std::filesystem;


using Result = fab::cli_test::CommandResult;
using fab::DType;
using fab::GgufValue;
using fab::GgufWriter;
Result RunTokenfab(const std::string& args, bool merge_stderr = true) {
  return fab::cli_test::RunTokenfabCommand(args, merge_stderr);
}

// One directory per test process: CTest runs the tests in parallel processes.
fs::path TempDir() {
  fs::path dir = fs::temp_directory_path() / ("tokenfab_cli_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

// A small synthetic model shared by the tests (written once).
const std::string& DemoModel() {
  static const std::string path = [] {
    std::string p = (TempDir() / "demo-q4_0.gguf").string();
    Result r = RunTokenfab("model synth --shape demo-tiny --quant q4_0 -t 2 -o " + p);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return p;
  }();
  return path;
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(TokenfabCli, WithoutASubcommandExitsWithUsageError) {
  EXPECT_EQ(RunTokenfab("").exit_code, 2);
  EXPECT_EQ(RunTokenfab("frobnicate").exit_code, 2);
}

TEST(TokenfabCli, SynthRejectsUnknownShapesAndTypes) {
  Result shape = RunTokenfab("model synth --shape gpt-17 -o /tmp/x.gguf");
  EXPECT_EQ(shape.exit_code, 1);
  EXPECT_NE(shape.output.find("unknown shape 'gpt-17'"), std::string::npos) << shape.output;
  Result quant = RunTokenfab("model synth --shape demo-tiny --quant q9_9 -o /tmp/x.gguf");
  EXPECT_EQ(quant.exit_code, 1);
  EXPECT_NE(quant.output.find("q9_9"), std::string::npos) << quant.output;
}

TEST(TokenfabCli, InspectJsonListsTheSynthesizedTensors) {
  Result r = RunTokenfab("model inspect --json " + DemoModel(), /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  boost::json::object root = boost::json::parse(r.output).as_object();
  EXPECT_EQ(root.at("version").to_number<int>(), 3);
  EXPECT_EQ(root.at("metadata").at("general.architecture").as_string(), "llama");
  const boost::json::array& tensors = root.at("tensors").as_array();
  ASSERT_FALSE(tensors.empty());
  bool saw_q4_0 = false;
  for (const auto& t : tensors) saw_q4_0 |= t.at("dtype").as_string() == "q4_0";
  EXPECT_TRUE(saw_q4_0);
}

TEST(TokenfabCli, InspectReportsACorruptFileClearly) {
  const fs::path bad = TempDir() / "corrupt.gguf";
  WriteText(bad, "GGUF\x03\x00\x00\x00garbage");
  Result r = RunTokenfab("model inspect " + bad.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("tokenfab: "), std::string::npos) << r.output;
  Result missing = RunTokenfab("run -m /nonexistent/model.gguf -p hi");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("cannot open"), std::string::npos) << missing.output;
}

TEST(TokenfabCli, InspectSaysWhyAModelWouldNotLoadNamingTheKeyOrTensor) {
  // An unsupported architecture, with one tensor so that it counts as a model.
  const fs::path unknown = TempDir() / "mamba.gguf";
  {
    GgufWriter writer;
    writer.Add("general.architecture", GgufValue::String("mamba"));
    writer.AddTensor("token_embd.weight", DType::kF32, {4, 2}, std::vector<uint8_t>(32, 0));
    ASSERT_TRUE(writer.WriteFile(unknown.string()).ok());
  }
  Result r = RunTokenfab("model inspect " + unknown.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("general.architecture 'mamba' is not supported"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("token_embd.weight"), std::string::npos) << "the table still prints: " << r.output;
  // A supported architecture missing a tensor it needs.
  const fs::path truncated = TempDir() / "no-output-norm.gguf";
  {
    GgufWriter writer;
    writer.Add("general.architecture", GgufValue::String("llama"));
    writer.Add("llama.embedding_length", GgufValue::Uint32(4));
    writer.Add("llama.block_count", GgufValue::Uint32(1));
    writer.Add("llama.feed_forward_length", GgufValue::Uint32(8));
    writer.Add("llama.attention.head_count", GgufValue::Uint32(2));
    writer.Add("llama.context_length", GgufValue::Uint32(16));
    writer.AddTensor("token_embd.weight", DType::kF32, {4, 2}, std::vector<uint8_t>(32, 0));
    ASSERT_TRUE(writer.WriteFile(truncated.string()).ok());
  }
  r = RunTokenfab("model inspect --json " + truncated.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("tokenfab: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(".weight"), std::string::npos) << "names the missing tensor: " << r.output;
  // A model that loads passes.
  EXPECT_EQ(RunTokenfab("model inspect " + DemoModel(), false).exit_code, 0);
}

TEST(TokenfabCli, TokenizePrintsIdsPerLine) {
  const fs::path strings = TempDir() / "strings.txt";
  WriteText(strings, "hello world\\nagain\nsecond line\n");
  Result r = RunTokenfab("tokenize -m " + DemoModel() + " --strings " + strings.string(), false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  boost::json::array cases = boost::json::parse(r.output).at("cases").as_array();
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].at("text").as_string(), "hello world\nagain");
  EXPECT_FALSE(cases[0].at("ids").as_array().empty());
  EXPECT_NE(cases[0].at("ids").as_array()[0].to_number<int>(), 1) << "no BOS";
}

TEST(TokenfabCli, LogitsWritesJsonAndFullFirstStepLogits) {
  const fs::path prompts = TempDir() / "prompts.txt";
  WriteText(prompts, "Once upon a time\nline\\ntwo\n");
  const fs::path out = TempDir() / "logits_out";
  fs::remove_all(out);
  Result r = RunTokenfab("logits -m " + DemoModel() + " --prompts " + prompts.string() + " --steps 3 -t 2 --out " +
                 out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(out / "result.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::json::object root = boost::json::parse(text).as_object();
  const int64_t n_vocab = root.at("n_vocab").to_number<int64_t>();
  const boost::json::array& cases = root.at("cases").as_array();
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[1].at("prompt").as_string(), "line\ntwo");
  EXPECT_EQ(cases[0].at("prompt_ids").as_array()[0].to_number<int>(), 1) << "BOS first";
  const boost::json::array& steps = cases[0].at("steps").as_array();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].at("top20").as_array().size(), 20u);
  EXPECT_EQ(steps[0].at("greedy"), steps[0].at("top20").as_array()[0].as_array()[0]);
  EXPECT_EQ(fs::file_size(out / "0.f32"), static_cast<uintmax_t>(n_vocab) * 4);
  EXPECT_EQ(fs::file_size(out / "1.f32"), static_cast<uintmax_t>(n_vocab) * 4);
}

TEST(TokenfabCli, RunStreamsTextAndReportsSpeeds) {
  Result r = RunTokenfab("run -m " + DemoModel() + " -p \"Once upon a time\" -n 8 --seed 3 -t 2 --no-progress");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("Once upon a time", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("generation: 8 tokens"), std::string::npos) << r.output;
  Result again = RunTokenfab("run -m " + DemoModel() + " -p \"Once upon a time\" -n 8 --seed 3 -t 2 --no-progress");
  EXPECT_EQ(r.output.substr(0, r.output.find("\nprompt:")), again.output.substr(0, again.output.find("\nprompt:")))
      << "same seed, same text";
}

TEST(TokenfabCli, RunRejectsBadSamplingValues) {
  Result r = RunTokenfab("run -m " + DemoModel() + " -p hi --temp -3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("temperature"), std::string::npos) << r.output;
  Result threads = RunTokenfab("run -m " + DemoModel() + " -p hi -t -4");
  EXPECT_EQ(threads.exit_code, 2) << threads.output;
}

TEST(TokenfabCli, BenchEngineJsonHasTheRequiredFields) {
  Result r = RunTokenfab("bench engine -m " + DemoModel() + " -p 32 -n 8 -r 2 -t 2 --json", false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  boost::json::object root = boost::json::parse(r.output).as_object();
  for (const char* key : {"pp_tps", "pp_sd", "tg_tps", "tg_sd", "roofline_tps", "roofline_fraction"}) {
    ASSERT_TRUE(root.contains(key)) << key;
  }
  EXPECT_GT(root.at("pp_tps").to_number<double>(), 0.0);
  EXPECT_GT(root.at("tg_tps").to_number<double>(), 0.0);
  EXPECT_GT(root.at("roofline_fraction").to_number<double>(), 0.0);
}

}  // namespace
