// `tokenfab arena export [--db URL] [--secret-file F] [--since 7d]`: the
// arena's votes from the books (control/arena_votes.h) as JSON lines,
// oldest first, that `tokenfab leaderboard --votes` reads. Options and
// entry point.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace fab::cli {

struct ArenaExportOptions {
  std::string db_url;       // empty: the default books
  std::string secret_file;  // empty: the default secret
  std::string since;        // empty: every vote; else as `tokenfab usage --since`
};

int RunArenaExport(const ArenaExportOptions& options);

void AddArena(CLI::App& app, ArenaExportOptions& options, int& code);

}  // namespace fab::cli
