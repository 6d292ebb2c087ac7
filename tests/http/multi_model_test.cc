// Several models in one `tokenfab serve`: two different models (the same
// shape, other weights) served at once are both listed by /v1/models, each
// request goes by its "model" field and gets the same greedy tokens as when
// its model is served alone, an unknown name is a 404, /metrics carries both
// models' series; two names that clash, and models over the memory budget,
// are refused at start.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>

#include "http/raw_http.h"
#include "http/serve_fixture.h"
#include "tokenizer/oracle_support.h"

namespace fab::http_test {
namespace {

namespace json = boost::json;

// A demo-tiny model with weights from `seed`, named <name>.gguf.
std::string Model(const std::string& name, int seed) {
  const std::string path = (ScratchDirectory() / (name + ".gguf")).string();
  std::string output;
  const int code = fab::testing::RunCommand(std::string(FAB_BINARY_DIR) +
                                                "/bin/tokenfab model synth --shape demo-tiny --quant q8_0 -t 2 --seed " +
                                                std::to_string(seed) + " -o " + path + " 2>&1",
                                            &output);
  EXPECT_EQ(code, 0) << output;
  return path;
}

std::string Greedy(ServeProcess& server, const std::string& model) {
  const RawResponse r = PostJson(server.port(), "/v1/completions",
                                 R"({"model":")" + model + R"(","prompt":"Once upon a time","max_tokens":24,"temperature":0})");
  EXPECT_EQ(r.status, 200) << r.body;
  return std::string(json::parse(r.body).at("choices").at(0).at("text").as_string());
}

TEST(MultiModel, EachModelAnswersAsWhenServedAlone) {
  const std::string a = Model("alpha", 11), b = Model("beta", 12);
  std::string error;
  std::string alone_a, alone_b;
  {
    ServeOptions options;
    options.model_path = a;
    auto server = ServeProcess::Start(options, &error);
    ASSERT_NE(server, nullptr) << error;
    alone_a = Greedy(*server, "alpha");
  }
  {
    ServeOptions options;
    options.model_path = b;
    auto server = ServeProcess::Start(options, &error);
    ASSERT_NE(server, nullptr) << error;
    alone_b = Greedy(*server, "beta");
  }
  ASSERT_NE(alone_a, alone_b) << "the two models must differ for the test to mean anything";

  ServeOptions options;
  options.model_path = a;
  options.extra_args = {"-m", b};
  auto server = ServeProcess::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  const RawResponse models = Get(server->port(), "/v1/models");
  ASSERT_EQ(models.status, 200);
  const json::value listed = json::parse(models.body);
  const json::array& data = listed.at("data").as_array();
  ASSERT_EQ(data.size(), 2u) << models.body;
  EXPECT_EQ(data[0].at("id"), "alpha");
  EXPECT_EQ(data[1].at("id"), "beta");
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(Greedy(*server, "alpha"), alone_a);
    EXPECT_EQ(Greedy(*server, "beta"), alone_b);
  }
  const RawResponse unknown = PostJson(server->port(), "/v1/completions", R"({"model":"gamma","prompt":"x","max_tokens":1})");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  const RawResponse metrics = Get(server->port(), "/metrics");
  EXPECT_NE(metrics.body.find("model_name=\"alpha\""), std::string::npos);
  EXPECT_NE(metrics.body.find("model_name=\"beta\""), std::string::npos);
  EXPECT_NE(metrics.body.find("tokenfab:http_requests_total{model_name=\"beta\",status=\"200\"}"), std::string::npos)
      << "HTTP statuses count under the model the request was for";
  size_t n_type_lines = 0;
  for (size_t at = metrics.body.find("# TYPE tokenfab:generation_tokens_total"); at != std::string::npos;
       at = metrics.body.find("# TYPE tokenfab:generation_tokens_total", at + 1)) {
    ++n_type_lines;
  }
  EXPECT_EQ(n_type_lines, 1u) << "one family, both models' series under it";
}

TEST(MultiModel, ModelsOverTheMemoryBudgetAreRefusedAtStartWithTheFigures) {
  const std::string a = Model("big-a", 5), b = Model("big-b", 6);
  std::string output;
  const int code = fab::testing::RunCommand(std::string(FAB_BINARY_DIR) + "/bin/tokenfab serve --port 0 -m " + a +
                                                " -m " + b + " --memory-budget 1MiB 2>&1",
                                            &output);
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("model 'big-a' does not fit"), std::string::npos) << output;
  EXPECT_NE(output.find("KV pool"), std::string::npos) << output;
  EXPECT_NE(output.find("over the memory budget of 0.00 GiB"), std::string::npos) << output;
}

TEST(MultiModel, TwoModelsWithOneNameAreRefusedAtStart) {
  const std::string a = Model("twin", 3);
  std::string output;
  const int code = fab::testing::RunCommand(std::string(FAB_BINARY_DIR) + "/bin/tokenfab serve --port 0 -m " + a +
                                                " -m " + a + " 2>&1",
                                            &output);
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("two models are named 'twin'"), std::string::npos) << output;
}

}  // namespace
}  // namespace fab::http_test
