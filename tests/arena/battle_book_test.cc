#include "arena/battle_book.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace fab::arena {
namespace {

using Clock = BattleBook::Clock;

TEST(BattleBook, PairsTwoDifferentModelsWithEveryPairAndSideAboutEquallyOften) {
  BattleBook book({"a", "b", "c"}, 100000, 7);
  std::map<std::string, int> pairs;
  std::map<std::string, int> on_side_a;
  const Clock::time_point now = Clock::now();
  for (int i = 0; i < 3000; ++i) {
    StatusOr<Battle> battle = book.Start("hi", "visitor", now);
    ASSERT_TRUE(battle.ok()) << battle.status().ToString();
    ASSERT_NE(battle->model_a, battle->model_b);
    const std::string low = std::min(battle->model_a, battle->model_b), high = std::max(battle->model_a, battle->model_b);
    ++pairs[low + high];
    ++on_side_a[battle->model_a];
  }
  ASSERT_EQ(pairs.size(), 3u);
  for (const auto& [pair, count] : pairs) EXPECT_NEAR(count, 1000, 120) << pair;
  for (const auto& [model, count] : on_side_a) EXPECT_NEAR(count, 1000, 120) << model;
}

TEST(BattleBook, RefusesAVisitorPastTheHourlyLimitAndAllowsAgainAnHourLater) {
  BattleBook book({"a", "b"}, 2, 1);
  const Clock::time_point now = Clock::now();
  ASSERT_TRUE(book.Start("p", "v1", now).ok());
  ASSERT_TRUE(book.Start("p", "v1", now + std::chrono::minutes(1)).ok());
  StatusOr<Battle> third = book.Start("p", "v1", now + std::chrono::minutes(2));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(third.status().message().find("58 min"), std::string::npos) << third.status().ToString();
  EXPECT_TRUE(book.Start("p", "v2", now + std::chrono::minutes(2)).ok()) << "another visitor has a limit of its own";
  EXPECT_TRUE(book.Start("p", "v1", now + std::chrono::minutes(61)).ok());
}

TEST(BattleBook, StreamsEachAnswerOnceAndTakesTheVoteOnlyAfterBothEndedWell) {
  BattleBook book({"a", "b"}, 100, 3);
  StatusOr<Battle> battle = book.Start("prompt", "v", Clock::now());
  ASSERT_TRUE(battle.ok());
  EXPECT_EQ(book.TakeForVote(battle->id).status().code(), StatusCode::kFailedPrecondition);
  std::string model;
  ASSERT_TRUE(book.BeginAnswer(battle->id, Side::kA, &model).ok());
  EXPECT_EQ(model, battle->model_a);
  EXPECT_EQ(book.BeginAnswer(battle->id, Side::kA, &model).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(book.BeginAnswer(battle->id, Side::kB, &model).ok());
  EXPECT_EQ(model, battle->model_b);
  book.EndAnswer(battle->id, Side::kA, true);
  EXPECT_EQ(book.TakeForVote(battle->id).status().code(), StatusCode::kFailedPrecondition) << "B is still streaming";
  book.EndAnswer(battle->id, Side::kB, true);
  StatusOr<Battle> taken = book.TakeForVote(battle->id);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->prompt, "prompt");
  EXPECT_EQ(book.TakeForVote(battle->id).status().code(), StatusCode::kNotFound) << "one vote per battle";
  EXPECT_EQ(book.size(), 0u);
}

TEST(BattleBook, AFailedAnswerMeansTheBattleCannotBeVotedOn) {
  BattleBook book({"a", "b"}, 100, 3);
  StatusOr<Battle> battle = book.Start("prompt", "v", Clock::now());
  ASSERT_TRUE(battle.ok());
  std::string model;
  ASSERT_TRUE(book.BeginAnswer(battle->id, Side::kA, &model).ok());
  ASSERT_TRUE(book.BeginAnswer(battle->id, Side::kB, &model).ok());
  book.EndAnswer(battle->id, Side::kA, false);
  book.EndAnswer(battle->id, Side::kB, true);
  StatusOr<Battle> vote = book.TakeForVote(battle->id);
  EXPECT_EQ(vote.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(vote.status().message().find("failed"), std::string::npos);
}

TEST(BattleBook, ForgetsBattlesPastTheirLifetimeAndUnknownIdsAreNotFound) {
  BattleBook book({"a", "b"}, 100, 3);
  const Clock::time_point now = Clock::now();
  StatusOr<Battle> old = book.Start("prompt", "v", now);
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(book.Start("prompt", "w", now + BattleBook::kBattleLifetime + std::chrono::minutes(1)).ok());
  std::string model;
  EXPECT_EQ(book.BeginAnswer(old->id, Side::kA, &model).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(book.BeginAnswer("battle-nope", Side::kA, &model).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(book.size(), 1u);
}

TEST(BattleBook, KeepsAtMostItsCapOfLiveBattles) {
  BattleBook book({"a", "b"}, 1000000, 3);
  const Clock::time_point now = Clock::now();
  for (size_t i = 0; i < BattleBook::kMaxBattles + 50; ++i) ASSERT_TRUE(book.Start("p", "v", now).ok());
  EXPECT_EQ(book.size(), BattleBook::kMaxBattles);
}

TEST(BattleBook, ReadsSides) {
  EXPECT_EQ(ParseSide("a"), Side::kA);
  EXPECT_EQ(ParseSide("b"), Side::kB);
  EXPECT_EQ(ParseSide("c"), std::nullopt);
  EXPECT_EQ(ParseSide("A"), std::nullopt);
}

}  // namespace
}  // namespace fab::arena
