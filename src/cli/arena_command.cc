#include "cli/arena_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "base/clock.h"
#include "cli/model_loader.h"
#include "control/arena_votes.h"
#include "control/books.h"
#include "control/usage_report.h"

namespace fab::cli {

int RunArenaExport(const ArenaExportOptions& options) {
  int64_t since_ms = 0;
  if (!options.since.empty()) {
    StatusOr<int64_t> since = control::ParseSince(options.since, UnixMillis());
    if (!since.ok()) return ReportError(since.status());
    since_ms = *since;
  }
  StatusOr<std::unique_ptr<control::Books>> books =
      control::Books::Open(options.db_url.empty() ? control::DefaultDatabaseUrl() : options.db_url,
                           options.secret_file.empty() ? control::DefaultSecretPath() : options.secret_file);
  if (!books.ok()) return ReportError(books.status());
  StatusOr<std::vector<control::ArenaVote>> votes = control::ListArenaVotes((*books)->database(), since_ms);
  if (!votes.ok()) return ReportError(votes.status());
  for (const control::ArenaVote& vote : *votes) std::printf("%s\n", control::ArenaVoteJsonLine(vote).c_str());
  return 0;
}

void AddArena(CLI::App& app, ArenaExportOptions& options, int& code) {
  CLI::App* arena = app.add_subcommand("arena", "The arena's votes");
  arena->require_subcommand(1);
  CLI::App* cmd = arena->add_subcommand("export", "Print the votes as JSON lines for `tokenfab leaderboard --votes`");
  cmd->add_option("--db", options.db_url, "Database: sqlite://PATH or postgres://USER@HOST:PORT/DB (default: the books)");
  cmd->add_option("--secret-file", options.secret_file, "The books' server secret (default: the serve default)");
  cmd->add_option("--since", options.since, "Only votes since: 24h, 7d, 2026-12-01 or 2026-12-01T10:00:00Z");
  cmd->callback([&] { code = RunArenaExport(options); });
}

}  // namespace fab::cli
