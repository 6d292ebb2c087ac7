#include "cli/arena_command.h"

#include <CLI/CLI.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "cli/model_loader.h"
#include "board/leaderboard.h"
#include "control/arena_votes.h"
#include "control/crypto.h"
#include "platform/mapped_file.h"
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

namespace {

// One line of an import file as the books keep it; InvalidArgument naming the line.
StatusOr<control::ArenaVote> ParseImportLine(std::string_view line, size_t number, int64_t now_ms) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgumentError("line " + std::to_string(number) + ": " + why);
  };
  boost::system::error_code error;
  const boost::json::value value = boost::json::parse(line, error);
  if (error || !value.is_object()) return bad("not a JSON object");
  const boost::json::object& object = value.as_object();
  control::ArenaVote vote;
  for (auto [field, target] : {std::pair{"model_a", &vote.model_a}, {"model_b", &vote.model_b}, {"winner", &vote.winner}}) {
    const boost::json::value* text = object.if_contains(field);
    if (text == nullptr || !text->is_string() || text->as_string().empty() || text->as_string().size() > 256) {
      return bad(std::string("'") + field + "' must be a non-empty string of at most 256 bytes");
    }
    *target = std::string(text->as_string());
  }
  if (vote.winner != "model_a" && vote.winner != "model_b" && vote.winner != "tie" && vote.winner != "tie (bothbad)") {
    return bad("'winner' must be model_a, model_b, tie or tie (bothbad)");
  }
  if (vote.model_a == vote.model_b) return bad("a model cannot battle itself");
  vote.battle_id = "import-" + control::HexEncode(control::Sha256(std::to_string(number) + "\n" + std::string(line))).substr(0, 32);
  if (const boost::json::value* id = object.if_contains("battle_id")) {
    if (!id->is_string() || id->as_string().empty() || id->as_string().size() > 128) return bad("'battle_id' must be a short string");
    vote.battle_id = std::string(id->as_string());
  }
  vote.at_ms = now_ms;
  if (const boost::json::value* at = object.if_contains("at_ms")) {
    if (!at->is_int64() || at->as_int64() < 0) return bad("'at_ms' must be Unix milliseconds");
    vote.at_ms = at->as_int64();
  }
  vote.visitor = "import";
  return vote;
}

}  // namespace

int RunArenaImport(const ArenaImportOptions& options) {
  StatusOr<MappedFile> file = MappedFile::Open(options.votes_path);
  if (!file.ok()) return ReportError(file.status());
  const std::string_view text(reinterpret_cast<const char*>(file->data()), file->size());
  std::vector<control::ArenaVote> votes;
  const int64_t now_ms = UnixMillis();
  size_t number = 0;
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (votes.size() >= static_cast<size_t>(board::kMaxVotes)) {
      return ReportError(ResourceExhaustedError(options.votes_path + " has more than " +
                                                std::to_string(board::kMaxVotes) + " votes"));
    }
    StatusOr<control::ArenaVote> vote = ParseImportLine(line, number, now_ms);
    if (!vote.ok()) return ReportError(vote.status().WithContext(options.votes_path));
    votes.push_back(std::move(vote).value());
  }
  StatusOr<std::unique_ptr<control::Books>> books =
      control::Books::Open(options.db_url.empty() ? control::DefaultDatabaseUrl() : options.db_url,
                           options.secret_file.empty() ? control::DefaultSecretPath() : options.secret_file);
  if (!books.ok()) return ReportError(books.status());
  int64_t imported = 0, present = 0;
  for (const control::ArenaVote& vote : votes) {
    const Status recorded = control::RecordArenaVote((*books)->database(), vote);
    if (recorded.code() == StatusCode::kFailedPrecondition) {
      ++present;
    } else if (!recorded.ok()) {
      return ReportError(recorded.WithContext("after " + std::to_string(imported) + " votes were imported"));
    } else {
      ++imported;
    }
  }
  std::printf("imported %lld votes; %lld were already in the books\n", static_cast<long long>(imported),
              static_cast<long long>(present));
  return 0;
}

void AddArena(CLI::App& app, ArenaExportOptions& options, ArenaImportOptions& import_options, int& code) {
  CLI::App* arena = app.add_subcommand("arena", "The arena's votes");
  arena->require_subcommand(1);
  CLI::App* cmd = arena->add_subcommand("export", "Print the votes as JSON lines for `tokenfab leaderboard --votes`");
  cmd->add_option("--db", options.db_url, "Database: sqlite://PATH or postgres://USER@HOST:PORT/DB (default: the books)");
  cmd->add_option("--secret-file", options.secret_file, "The books' server secret (default: the serve default)");
  cmd->add_option("--since", options.since, "Only votes since: 24h, 7d, 2026-12-01 or 2026-12-01T10:00:00Z");
  cmd->callback([&] { code = RunArenaExport(options); });
  CLI::App* import = arena->add_subcommand("import", "Add votes cast elsewhere (JSON lines) to the books");
  import->add_option("--votes", import_options.votes_path,
                     "JSON lines: {\"model_a\", \"model_b\", \"winner\", [\"battle_id\"], [\"at_ms\"]}")
      ->required();
  import->add_option("--db", import_options.db_url, "Database: sqlite://PATH or postgres://USER@HOST:PORT/DB (default: the books)");
  import->add_option("--secret-file", import_options.secret_file, "The books' server secret (default: the serve default)");
  import->callback([&] { code = RunArenaImport(import_options); });
}

}  // namespace fab::cli
