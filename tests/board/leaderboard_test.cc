// The leaderboard: battles count every vote, wins only outright ones; the
// 95% intervals hold the rating; ranks count the models whose interval lies
// wholly above; models come by rating; the same seed gives the same board;
// malformed vote lines are refused naming the line.
#include "board/leaderboard.h"

#include <gtest/gtest.h>

#include <string>

namespace fab::board {
namespace {

std::string Line(const char* a, const char* b, const char* winner) {
  return std::string(R"({"model_a": ")") + a + R"(", "model_b": ")" + b + R"(", "winner": ")" + winner + "\"}\n";
}

std::string Votes() {
  std::string text;
  for (int i = 0; i < 30; ++i) {
    text += Line("strong", "weak", i % 10 == 0 ? "model_b" : "model_a");
    text += Line("middle", "weak", i % 3 == 0 ? "model_b" : "model_a");
    text += Line("strong", "middle", i % 4 == 0 ? "tie (bothbad)" : (i % 5 == 0 ? "model_b" : "model_a"));
  }
  return text;
}

TEST(Leaderboard, CountsBattlesAndOutrightWinsAndRanksByIntervals) {
  const Leaderboard board = ComputeLeaderboard(ParseVotesJsonl(Votes()).value(), 300, 42);
  ASSERT_EQ(board.models.size(), 3u);
  EXPECT_FALSE(board.regularised) << board.why;
  EXPECT_EQ(board.models[0].model, "strong");
  EXPECT_EQ(board.models[2].model, "weak");
  EXPECT_EQ(board.models[0].battles, 60);
  EXPECT_EQ(board.models[0].wins, 27 + 18);  // 27 over weak; 30 − 8 ties − 4 losses over middle
  for (const Standing& s : board.models) {
    EXPECT_LE(s.ci_low, s.rating) << s.model;
    EXPECT_GE(s.ci_high, s.rating) << s.model;
    int64_t above = 0;
    for (const Standing& other : board.models) above += other.ci_low > s.ci_high;
    EXPECT_EQ(s.rank, 1 + above) << s.model;
  }
  EXPECT_GE(board.models[2].rank, 2) << "weak's interval lies below strong's";
  double mean = 0;
  for (const Standing& s : board.models) mean += s.rating / 3;
  EXPECT_NEAR(mean, 1000.0, 1e-6);
  const Leaderboard again = ComputeLeaderboard(ParseVotesJsonl(Votes()).value(), 300, 42);
  EXPECT_EQ(again.models[1].ci_low, board.models[1].ci_low) << "the seed fixes the resamples";
}

TEST(Leaderboard, NamesTheModelThatMakesTheFitRegularised) {
  const Leaderboard board =
      ComputeLeaderboard(ParseVotesJsonl(Line("a", "b", "model_a") + Line("b", "c", "model_a") + Line("c", "a", "model_b"))
                             .value(),
                         0, 1);
  EXPECT_TRUE(board.regularised);
  EXPECT_EQ(board.why, "model 'a' never lost");
}

TEST(Leaderboard, RefusesMalformedVoteLinesNamingTheLine) {
  const std::pair<std::string, std::string> cases[] = {
      {Line("a", "b", "model_a") + "{oops\n", "line 2: not a JSON object"},
      {Line("a", "b", "model_c"), "'winner' must be"},
      {Line("a", "a", "tie"), "cannot battle itself"},
      {R"({"model_a": "", "model_b": "b", "winner": "tie"})", "'model_a' must be a model name"},
      {R"({"model_a": "a", "model_b": 3, "winner": "tie"})", "'model_b' must be a model name"},
  };
  for (const auto& [text, part] : cases) {
    StatusOr<std::vector<NamedVote>> votes = ParseVotesJsonl(text);
    ASSERT_FALSE(votes.ok()) << text;
    EXPECT_NE(votes.status().message().find(part), std::string::npos) << votes.status().message();
  }
  EXPECT_TRUE(ParseVotesJsonl("\n  \n" + Line("a", "b", "tie") + "\r\n").ok()) << "blank lines and CRLF are fine";
}

}  // namespace
}  // namespace fab::board
