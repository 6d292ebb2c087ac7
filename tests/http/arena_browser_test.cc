// The arena and leaderboard pages in a real browser: headless Chromium
// (Debian's `chromium`) driven by playwright-core from npm
// (tests/http/arena_browser.mjs) against `tokenfab serve --arena` over two
// models with books: a full vote cycle with streamed answers, the open
// leaderboard counting the vote by itself, keyboard-only use, an empty
// prompt refused. Screenshots go to <build>/screenshots/arena/. Skips
// without node, chromium or playwright-core (`make deps`).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cli/tokenfab_runner.h"
#include "http/serve_fixture.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = FAB_SOURCE_DIR;

std::string Model(const std::string& name, int seed) {
  const std::string path = (ScratchDirectory() / (name + ".gguf")).string();
  const cli_test::CommandResult made = cli_test::RunTokenfabCommand(
      "model synth --shape demo-tiny --quant q8_0 -t 2 --seed " + std::to_string(seed) + " -o " + path);
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return path;
}

TEST(ArenaBrowser, VotesStreamUpdateTheBoardAndWorkFromTheKeyboard) {
  if (!fab::testing::ProgramExists("node")) GTEST_SKIP() << "node not found on PATH";
  if (!fab::testing::ProgramExists("chromium")) GTEST_SKIP() << "chromium not found on PATH (apt-get install chromium)";
  if (!fs::exists(kSource / "tests" / "tools" / "node_modules" / "playwright-core" / "package.json")) {
    GTEST_SKIP() << "playwright-core is not installed in tests/tools (make deps)";
  }
  const fs::path dir = ScratchDirectory() / "arena-browser";
  fs::create_directories(dir);
  ServeOptions options;
  options.model_path = Model("browser-alpha", 31);
  options.extra_args = {"-m", Model("browser-beta", 32), "--arena", "--db", "sqlite://" + (dir / "books.db").string(),
                        "--secret-file", (dir / "secret").string(), "--arena-max-tokens", "384"};
  std::string error;
  std::unique_ptr<ServeProcess> server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  const fs::path shots = fs::path(FAB_BINARY_DIR) / "screenshots" / "arena";
  std::string output;
  const int exit_code = fab::testing::RunCommand(
      "node " + fab::testing::ShellQuote((kSource / "tests" / "http" / "arena_browser.mjs").string()) + " " +
          fab::testing::ShellQuote(server->base_url()) + " " + fab::testing::ShellQuote(shots.string()) +
          " browser-alpha,browser-beta $(command -v chromium) 2>&1",
      &output);
  std::printf("%s", output.c_str());
  EXPECT_EQ(exit_code, 0) << output << "\n" << server->OutputTail();
  EXPECT_NE(output.find("\"failed\":[]"), std::string::npos) << output;
  for (const char* shot : {"arena-2-answers.png", "arena-3-revealed.png", "leaderboard.png", "arena-keyboard-focus.png"}) {
    EXPECT_TRUE(fs::exists(shots / shot)) << shot;
  }
}

}  // namespace
}  // namespace fab::http_test
