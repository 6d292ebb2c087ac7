// Arena votes in the books, on SQLite and PostgreSQL: a battle takes one
// vote; winners and model pairs are checked; the prompt's text is kept only
// when given; votes list oldest first from a time; a visitor's votes are
// counted; each exports as a line the leaderboard reads.
#include "control/arena_votes.h"

#include <gtest/gtest.h>

#include "board/leaderboard.h"
#include "control/test_databases.h"

namespace fab::control {
namespace {

using testing::Backend;

class ArenaVotesTest : public testing::BooksTestBase {};

ArenaVote Vote(const std::string& battle, const std::string& winner, int64_t at_ms, const std::string& visitor = "v1") {
  return ArenaVote{battle, "alpha", "beta", winner, std::string(64, 'a'), std::nullopt, visitor, at_ms};
}

TEST_P(ArenaVotesTest, ABattleTakesOneVoteAndVotesListOldestFirst) {
  Database& db = books_->database();
  ASSERT_TRUE(RecordArenaVote(db, Vote("b2", "model_b", 2000)).ok());
  ArenaVote with_prompt = Vote("b1", "tie (bothbad)", 1000, "v2");
  with_prompt.prompt = "what is 2+2?";
  ASSERT_TRUE(RecordArenaVote(db, with_prompt).ok());
  const Status again = RecordArenaVote(db, Vote("b2", "model_a", 3000));
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition) << again.ToString();

  const StatusOr<std::vector<ArenaVote>> all = ListArenaVotes(db, 0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].battle_id, "b1");
  EXPECT_EQ((*all)[0].prompt, "what is 2+2?");
  EXPECT_EQ((*all)[1].winner, "model_b") << "the second vote on b2 changed nothing";
  EXPECT_FALSE((*all)[1].prompt) << "no text unless given";
  EXPECT_EQ(ListArenaVotes(db, 1500)->size(), 1u);
  EXPECT_EQ(*CountArenaVotes(db, "v1", 0), 1);
  EXPECT_EQ(*CountArenaVotes(db, "v2", 1001), 0);

  std::string lines;
  for (const ArenaVote& vote : *all) lines += ArenaVoteJsonLine(vote) + "\n";
  const StatusOr<std::vector<board::NamedVote>> parsed = board::ParseVotesJsonl(lines);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)[0].score_a, 0.5);
  EXPECT_EQ((*parsed)[1].score_a, 0.0);
}

TEST_P(ArenaVotesTest, RefusesAnUnknownWinnerAndAModelAgainstItself) {
  Database& db = books_->database();
  EXPECT_EQ(RecordArenaVote(db, Vote("b", "alpha", 1)).code(), StatusCode::kInvalidArgument);
  ArenaVote self = Vote("c", "tie", 1);
  self.model_b = self.model_a;
  EXPECT_EQ(RecordArenaVote(db, self).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ListArenaVotes(db, 0)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ArenaVotesTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName);

}  // namespace
}  // namespace fab::control
