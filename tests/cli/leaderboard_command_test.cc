// `tokenfab leaderboard`: the JSON holds every key the issue names, in
// rating order, with the fit it used; a malformed votes file is refused
// naming its line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/tokenfab_runner.h"

namespace {

namespace fs = std::filesystem;
using fab::cli_test::RunTokenfabCommand;

std::string WriteVotes(const std::string& name, const std::string& text) {
  const fs::path path = fs::temp_directory_path() / ("tokenfab_leaderboard_" + std::to_string(getpid()) + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(Leaderboard, PrintsRatingsIntervalsRanksBattlesAndWinsAsJson) {
  std::string text;
  for (int i = 0; i < 20; ++i) {
    text += std::string(R"({"model_a":"q8","model_b":"q4","winner":")") + (i % 4 ? "model_a" : "model_b") + "\"}\n";
    text += std::string(R"({"model_a":"q4","model_b":"f16","winner":")") + (i % 3 ? "model_b" : "tie") + "\"}\n";
  }
  const auto r = RunTokenfabCommand("leaderboard --json --bootstrap 100 --seed 7 --votes " + WriteVotes("ok.jsonl", text), false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const boost::json::object out = boost::json::parse(r.output).as_object();
  EXPECT_EQ(out.at("fit"), "maximum likelihood");
  EXPECT_EQ(out.at("votes"), 40);
  const boost::json::array& models = out.at("models").as_array();
  ASSERT_EQ(models.size(), 3u);
  double previous = 1e9;
  for (const boost::json::value& model : models) {
    for (const char* key : {"model", "rating", "ci_low", "ci_high", "rank", "battles", "wins"}) {
      EXPECT_TRUE(model.as_object().contains(key)) << key;
    }
    EXPECT_LE(model.at("rating").to_number<double>(), previous);
    previous = model.at("rating").to_number<double>();
  }
}

TEST(Leaderboard, RefusesAMalformedVotesFileNamingTheLine) {
  const auto r = RunTokenfabCommand(
      "leaderboard --votes " + WriteVotes("bad.jsonl", "{\"model_a\":\"a\",\"model_b\":\"b\",\"winner\":\"a\"}\n"), true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("votes line 1: 'winner' must be"), std::string::npos) << r.output;
}

}  // namespace
