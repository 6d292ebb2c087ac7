// `tokenfab leaderboard --db --eval`: beside each rating, the model's
// measured cost per million tokens, joules per token and median TPOT from
// the ledger that a live `tokenfab serve --db` wrote, and its eval scores
// from a `tokenfab eval --json` result.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "cli/tokenfab_runner.h"
#include "http/raw_http.h"
#include "http/serve_fixture.h"

namespace fab::http_test {
namespace {

namespace json = boost::json;
using cli_test::RunTokenfabCommand;

TEST(LeaderboardBooks, ShowsCostEnergyAndEvalScoresBesideTheRatings) {
  const std::filesystem::path dir = ScratchDirectory() / "leaderboard-books";
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite://" + (dir / "books.db").string();
  const std::string secret = (dir / "secret").string();
  const std::string eval_json = (dir / "eval.json").string();
  {
    std::string error;
    std::unique_ptr<ServeProcess> server = ServeProcess::Start({{"--db", db, "--secret-file", secret}}, &error);
    ASSERT_NE(server, nullptr) << error;
    for (int i = 0; i < 3; ++i) {
      const RawResponse r = PostJson(server->port(), "/v1/completions",
                                     R"({"prompt":"Once upon a time","max_tokens":12,"ignore_eos":true})");
      ASSERT_EQ(r.status, 200) << r.body;
    }
    const auto eval = RunTokenfabCommand("eval --json --tasks capitals --limit 3 --bootstrap 50 --model " +
                                             std::string(kTestModelName) + " --base-url " + server->base_url(),
                                         false);
    ASSERT_EQ(eval.exit_code, 0) << eval.output;
    std::ofstream(eval_json) << eval.output;
  }  // the server drains: every row is in the ledger
  std::string votes;
  for (int i = 0; i < 10; ++i) {
    votes += std::string(R"({"model_a":")") + kTestModelName + R"(","model_b":"other","winner":")" +
             (i % 3 ? "model_a" : "model_b") + "\"}\n";
  }
  std::ofstream(dir / "votes.jsonl") << votes;
  const auto board = RunTokenfabCommand("leaderboard --json --bootstrap 50 --votes " + (dir / "votes.jsonl").string() +
                                            " --db " + db + " --secret-file " + secret + " --eval " + eval_json,
                                        false);
  ASSERT_EQ(board.exit_code, 0) << board.output;
  const json::value result = json::parse(board.output);
  const json::array& models = result.at("models").as_array();
  ASSERT_EQ(models.size(), 2u);
  const json::object& served = models[0].at("model") == kTestModelName ? models[0].as_object() : models[1].as_object();
  EXPECT_GE(served.at("requests").as_int64(), 3 + 3 * 4) << board.output;  // 3 completions and the eval's scoring calls
  EXPECT_GT(served.at("cost_per_mtok").to_number<double>(), 0.0) << "energy at the default price per kWh costs something";
  EXPECT_GT(served.at("joules_per_token").to_number<double>(), 0.0) << board.output;
  EXPECT_GT(served.at("median_tpot_s").to_number<double>(), 0.0) << board.output;
  EXPECT_TRUE(served.at("eval").at("capitals").as_object().contains("acc")) << board.output;
  const json::object& other = models[0].at("model") == "other" ? models[0].as_object() : models[1].as_object();
  EXPECT_FALSE(other.contains("cost_per_mtok")) << "a model with no ledger rows shows no books";
}

}  // namespace
}  // namespace fab::http_test
