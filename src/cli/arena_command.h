// `tokenfab arena export [--db URL] [--secret-file F] [--since 7d]`: the
// arena's votes from the books (control/arena_votes.h) as JSON lines,
// oldest first, that `tokenfab leaderboard --votes` reads; and `tokenfab
// arena import --votes FILE`, the other way: votes cast elsewhere (another
// arena's export, an offline study) into the books, where the leaderboard
// of `serve --arena` counts them. Options and entry points.
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

struct ArenaImportOptions {
  std::string votes_path;   // JSON lines: {"model_a", "model_b", "winner", ["battle_id"], ["at_ms"]}
  std::string db_url;       // empty: the default books
  std::string secret_file;  // empty: the default secret
};

int RunArenaExport(const ArenaExportOptions& options);

// Every line is checked before any is written (a bad line names itself and
// nothing is imported). A line without a battle_id gets "import-" + the
// SHA-256 of its line number and text, so importing a file twice adds
// nothing the second time; votes already in the books are counted and
// skipped. Imported votes have visitor "import" and no prompt hash.
int RunArenaImport(const ArenaImportOptions& options);

void AddArena(CLI::App& app, ArenaExportOptions& export_options, ArenaImportOptions& import_options, int& code);

}  // namespace fab::cli
