// `tokenfab arena export`: the votes in the books come out as JSON lines,
// oldest first, that `tokenfab leaderboard --votes` reads; --since filters.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/clock.h"
#include "board/leaderboard.h"
#include "cli/tokenfab_runner.h"
#include "control/arena_votes.h"
#include "control/books.h"

namespace {

namespace fs = std::filesystem;
using fab::cli_test::RunTokenfabCommand;

TEST(ArenaExport, PrintsTheVotesAsTheLeaderboardsInput) {
  const fs::path dir = fs::temp_directory_path() / ("tokenfab_arena_export_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string db = "sqlite://" + (dir / "books.db").string();
  const std::string secret = (dir / "secret").string();
  {
    auto books = fab::control::Books::Open(db, secret);
    ASSERT_TRUE(books.ok()) << books.status().ToString();
    const int64_t now = fab::UnixMillis();
    for (int i = 0; i < 4; ++i) {
      fab::control::ArenaVote vote{"battle-" + std::to_string(i), "alpha", "beta", i % 2 ? "model_a" : "tie",
                                   std::string(64, '0'), std::nullopt, "visitor", now - 3600'000LL * 48 + i * 3600'000LL * 12};
      ASSERT_TRUE(fab::control::RecordArenaVote((*books)->database(), vote).ok());
    }
  }
  const auto all = RunTokenfabCommand("arena export --db " + db + " --secret-file " + secret, false);
  ASSERT_EQ(all.exit_code, 0) << all.output;
  const auto votes = fab::board::ParseVotesJsonl(all.output);
  ASSERT_TRUE(votes.ok()) << votes.status().ToString() << "\n" << all.output;
  EXPECT_EQ(votes->size(), 4u);
  EXPECT_NE(all.output.find("\"battle_id\":\"battle-0\""), std::string::npos);
  EXPECT_LT(all.output.find("battle-0"), all.output.find("battle-3")) << "oldest first";
  const auto recent = RunTokenfabCommand("arena export --since 30h --db " + db + " --secret-file " + secret, false);
  ASSERT_EQ(recent.exit_code, 0) << recent.output;
  EXPECT_EQ(fab::board::ParseVotesJsonl(recent.output)->size(), 2u) << recent.output;
  fs::remove_all(dir);
}

}  // namespace
