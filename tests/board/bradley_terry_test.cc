// Bradley–Terry: the fit equals an independent computation (Hunter's MM
// algorithm in Python, tests/board/bradley_terry_oracle.py) within 0.01
// rating points on a synthetic vote set; it recovers the ratings that
// generated many votes; when the maximum likelihood does not exist it says
// why and stays finite under the prior.
#include "board/bradley_terry.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "board/leaderboard.h"
#include "tokenizer/oracle_support.h"

namespace fab::board {
namespace {

namespace json = boost::json;

// Votes among `true_ratings.size()` models drawn from the Bradley–Terry
// model itself, `tie_share` of them ties.
std::vector<NamedVote> SyntheticVotes(const std::vector<double>& true_ratings, int n_votes, uint32_t seed,
                                      double tie_share) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> model(0, true_ratings.size() - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<NamedVote> votes;
  while (static_cast<int>(votes.size()) < n_votes) {
    const size_t a = model(rng), b = model(rng);
    if (a == b) continue;
    const double p_a = 1.0 / (1.0 + std::pow(10.0, (true_ratings[b] - true_ratings[a]) / 400.0));
    const double draw = unit(rng);
    NamedVote vote{"m" + std::to_string(a), "m" + std::to_string(b), 0.5};
    if (draw < tie_share) {
      vote.score_a = 0.5;  // a tie
    } else {
      vote.score_a = unit(rng) < p_a ? 1.0 : 0.0;
    }
    votes.push_back(vote);
  }
  return votes;
}

std::string Jsonl(const std::vector<NamedVote>& votes) {
  std::string text;
  for (const NamedVote& v : votes) {
    const char* winner = v.score_a == 1.0 ? "model_a" : v.score_a == 0.0 ? "model_b" : (text.size() % 2 ? "tie" : "tie (bothbad)");
    text += json::serialize(json::object{{"model_a", v.model_a}, {"model_b", v.model_b}, {"winner", winner}}) + "\n";
  }
  return text;
}

TEST(BradleyTerry, EqualsAnIndependentFitWithinAHundredthOfAPoint) {
  if (!fab::testing::ProgramExists("python3")) GTEST_SKIP() << "python3 not found on PATH";
  const std::vector<NamedVote> votes = SyntheticVotes({1100, 1050, 1000, 980, 900}, 400, 11, 0.1);
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "tokenfab_bt_votes.jsonl";
  std::ofstream(path) << Jsonl(votes);
  std::string output;
  const std::string script = std::string(FAB_SOURCE_DIR) + "/tests/board/bradley_terry_oracle.py";
  ASSERT_EQ(fab::testing::RunCommand("python3 " + fab::testing::ShellQuote(script) + " " +
                                         fab::testing::ShellQuote(path.string()),
                                     &output),
            0)
      << output;
  const json::object oracle = json::parse(output).as_object();
  const Leaderboard board = ComputeLeaderboard(ParseVotesJsonl(Jsonl(votes)).value(), 0, 1);
  ASSERT_FALSE(board.regularised) << board.why;
  ASSERT_EQ(board.models.size(), oracle.size());
  for (const Standing& standing : board.models) {
    EXPECT_NEAR(standing.rating, oracle.at(standing.model).to_number<double>(), 0.01) << standing.model;
  }
  std::filesystem::remove(path);
}

TEST(BradleyTerry, RecoversTheRatingsThatGeneratedManyVotes) {
  const std::vector<double> truth = {1200, 1100, 1000, 900, 800};
  const Leaderboard board = ComputeLeaderboard(SyntheticVotes(truth, 20000, 3, 0.0), 0, 1);
  for (const Standing& standing : board.models) {
    const double want = truth[static_cast<size_t>(standing.model[1] - '0')];
    EXPECT_NEAR(standing.rating, want, 20.0) << standing.model;
  }
}

TEST(BradleyTerry, SaysWhyTheMaximumLikelihoodIsMissingAndStaysFinite) {
  // c never lost.
  const std::vector<Vote> unbeaten = {{0, 1, 1.0}, {1, 0, 1.0}, {2, 0, 1.0}, {2, 1, 1.0}};
  const Fit fit = FitBradleyTerry(3, unbeaten);
  ASSERT_TRUE(fit.why);
  EXPECT_EQ(fit.why->model, 2u);
  EXPECT_EQ(fit.why->what, "never lost");
  for (double rating : fit.ratings) EXPECT_TRUE(std::isfinite(rating));
  EXPECT_GT(fit.ratings[2], fit.ratings[0]);
  // Two groups that never met.
  const std::vector<Vote> apart = {{0, 1, 1.0}, {1, 0, 1.0}, {2, 3, 1.0}, {3, 2, 1.0}};
  const std::optional<NoMaximum> split = WhyNoMaximumLikelihood(4, apart);
  ASSERT_TRUE(split);
  EXPECT_FALSE(split->model);
  EXPECT_NE(split->what.find("never met"), std::string::npos);
  // A tie is a half win both ways: a ring of ties has a maximum, all equal.
  const std::vector<Vote> ties = {{0, 1, 0.5}, {1, 2, 0.5}};
  const Fit tied = FitBradleyTerry(3, ties);
  EXPECT_FALSE(tied.why);
  for (double rating : tied.ratings) EXPECT_NEAR(rating, 1000.0, 1e-6);
}

}  // namespace
}  // namespace fab::board
