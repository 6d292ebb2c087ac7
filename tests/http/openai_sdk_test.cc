// The official `openai` npm SDK (v6, tests/tools/node_modules) against the
// live `tokenfab serve`: tests/http/openai_sdk_e2e.mjs runs every check
// (completions, chat, streaming, logprobs, stop, n, seed, typed errors,
// usage) and exits non-zero naming the failed ones. Skips when node or the
// package is absent (`make deps` installs it).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "http/serve_fixture.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

const std::string kScript = std::string(FAB_SOURCE_DIR) + "/tests/http/openai_sdk_e2e.mjs";
const std::string kSdkPackage = std::string(FAB_SOURCE_DIR) + "/tests/tools/node_modules/openai/package.json";

TEST(OpenAiSdk, DrivesEveryEndpointAndFeatureThroughTheOfficialClient) {
  if (!fab::testing::ProgramExists("node")) GTEST_SKIP() << "node not found on PATH";
  if (!std::filesystem::exists(kSdkPackage)) {
    GTEST_SKIP() << "the openai npm package is not installed in tests/tools (make deps)";
  }
  std::string error;
  std::unique_ptr<ServeProcess> server = ServeProcess::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;

  std::string output;
  const int exit_code = fab::testing::RunCommand("node " + fab::testing::ShellQuote(kScript) + " " +
                                                     fab::testing::ShellQuote(server->base_url()) + " " +
                                                     fab::testing::ShellQuote(kTestModelName) + " 2>&1",
                                                 &output);
  EXPECT_EQ(exit_code, 0) << output << "\n" << server->OutputTail();
  EXPECT_NE(output.find("\"passed\":[\""), std::string::npos) << output;
  EXPECT_NE(output.find("\"failed\":[]"), std::string::npos) << output;
}

}  // namespace
}  // namespace fab::http_test
