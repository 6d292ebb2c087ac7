// `tokenfab arena export`: the votes in the books come out as JSON lines,
// oldest first, that `tokenfab leaderboard --votes` reads; --since filters.
// `tokenfab arena import`: such lines go into the books once (a second
// import adds nothing), and a file with a bad line imports nothing.
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

TEST(ArenaImport, AddsVotesOnceAndRefusesAFileWithABadLineWhole) {
  const fs::path dir = fs::temp_directory_path() / ("tokenfab_arena_import_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string books = "--db sqlite://" + (dir / "books.db").string() + " --secret-file " + (dir / "secret").string();
  const fs::path good = dir / "good.jsonl", bad = dir / "bad.jsonl";
  std::ofstream(good) << R"({"model_a":"alpha","model_b":"beta","winner":"model_a"})" << "\n\n"
                      << R"x({"model_a":"beta","model_b":"gamma","winner":"tie (bothbad)","battle_id":"b-7","at_ms":1000})x"
                      << "\n" << R"({"model_a":"alpha","model_b":"beta","winner":"model_a"})" << "\n";
  std::ofstream(bad) << R"({"model_a":"alpha","model_b":"delta","winner":"model_b"})" << "\n"
                     << R"({"model_a":"alpha","model_b":"beta","winner":"a"})" << "\n";
  const auto first = RunTokenfabCommand("arena import --votes " + good.string() + " " + books);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("imported 3 votes; 0 were already in the books"), std::string::npos) << first.output;
  const auto again = RunTokenfabCommand("arena import --votes " + good.string() + " " + books);
  EXPECT_NE(again.output.find("imported 0 votes; 3 were already in the books"), std::string::npos) << again.output;
  const auto refused = RunTokenfabCommand("arena import --votes " + bad.string() + " " + books);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("line 2: 'winner' must be"), std::string::npos) << refused.output;
  const auto exported = RunTokenfabCommand("arena export " + books, false);
  const auto votes = fab::board::ParseVotesJsonl(exported.output);
  ASSERT_TRUE(votes.ok()) << exported.output;
  EXPECT_EQ(votes->size(), 3u) << "nothing of the bad file, nothing twice";
  EXPECT_EQ(exported.output.find("delta"), std::string::npos);
  EXPECT_LT(exported.output.find("\"battle_id\":\"b-7\""), exported.output.find("import-")) << "at_ms is kept";
  fs::remove_all(dir);
}

}  // namespace
