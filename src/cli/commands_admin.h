// The CLI11 wiring of the operator's commands (cli/admin_commands.h):
// `tenants`, `keys` and `audit`, with the shared --db, --secret-file and
// policy flags. Called by commands.cc only.
#pragma once

#include "cli/admin_commands.h"

namespace CLI {
class App;
}  // namespace CLI

namespace fab::cli {

// Adds the subcommands to `app`; a run stores its exit code in `code`.
void AddAdminCommands(CLI::App& app, AdminOptions& options, int& code);

// --db and --secret-file, as `serve` and every admin command take them.
void AddBooksFlags(CLI::App* cmd, std::string& db_url, std::string& secret_file);

}  // namespace fab::cli
