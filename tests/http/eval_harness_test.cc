// `tokenfab eval` against a live `tokenfab serve`: built-in multiple-choice
// and generation tasks run end to end with bootstrap CIs, and every
// log-likelihood it logs equals the sum of the prompt-token logprobs that
// /v1/completions with echo and logprobs returns for the same text, as an
// independent script (tests/http/eval_loglikelihood_check.mjs, the openai
// SDK) computes it. Skips the script's check without node or the SDK.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "http/serve_fixture.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = FAB_SOURCE_DIR;

TEST(EvalHarness, ScoresBuiltinTasksAndItsLogLikelihoodsMatchTheEndpoints) {
  std::string error;
  std::unique_ptr<ServeProcess> server = ServeProcess::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  const fs::path samples = ScratchDirectory() / "eval-samples.jsonl";
  std::ofstream(ScratchDirectory() / "facts.jsonl")
      << R"({"q": "Which is a fruit?", "options": ["stone", "pear", "cloud"], "label": 1})" "\n"
      << R"({"q": "Which is warm?", "options": ["ice", "snow", "sun"], "label": 2})" "\n";
  std::ofstream(ScratchDirectory() / "facts.yaml")
      << "task: facts\ndataset_path: facts.jsonl\nlicense: CC0-1.0\noutput_type: multiple_choice\n"
         "doc_to_text: \"Question: {{q}}\\nAnswer:\"\ndoc_to_choice: options\ndoc_to_target: label\n";
  std::string output;
  const int exit_code = fab::testing::RunCommand(
      std::string(FAB_BINARY_DIR) + "/bin/tokenfab eval --json --tasks capitals,weekdays,copy,arith_ko --limit 4 "
          "--num-fewshot 1 --bootstrap 200 --tasks " + fab::testing::ShellQuote((ScratchDirectory() / "facts.yaml").string()) +
          " --base-url " + server->base_url() + " --log-samples " +
          fab::testing::ShellQuote(samples.string()) + " 2>&1",
      &output);
  ASSERT_EQ(exit_code, 0) << output;
  const boost::json::object result = boost::json::parse(output).as_object();
  const boost::json::array& tasks = result.at("tasks").as_array();
  ASSERT_EQ(tasks.size(), 5u);
  EXPECT_EQ(tasks[4].at("task"), "facts");
  EXPECT_EQ(tasks[4].at("license"), "CC0-1.0");
  for (const boost::json::value& task : tasks) {
    EXPECT_EQ(task.at("n"), task.at("task") == "facts" ? 2 : 4) << boost::json::serialize(task);
    for (const auto& [metric, score] : task.at("metrics").as_object()) {
      const double value = score.at("value").to_number<double>();
      EXPECT_GE(value, score.at("ci_low").to_number<double>()) << metric;
      EXPECT_LE(value, score.at("ci_high").to_number<double>()) << metric;
    }
  }
  EXPECT_TRUE(tasks[0].at("metrics").as_object().contains("acc_norm"));
  EXPECT_TRUE(tasks[2].at("metrics").as_object().contains("exact_match"));

  if (!fab::testing::ProgramExists("node") || !fs::exists(kSource / "tests/tools/node_modules/openai/package.json")) {
    GTEST_SKIP() << "node or the openai package is missing (make deps): the independent check did not run";
  }
  std::string check;
  const int check_code = fab::testing::RunCommand(
      "node " + fab::testing::ShellQuote((kSource / "tests/http/eval_loglikelihood_check.mjs").string()) + " " +
          server->base_url() + " " + kTestModelName + " " + fab::testing::ShellQuote(samples.string()) + " 2>&1",
      &check);
  EXPECT_EQ(check_code, 0) << check;
  std::printf("%s", check.c_str());
}

}  // namespace
}  // namespace fab::http_test
