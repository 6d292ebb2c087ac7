#include "cli/leaderboard_command.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <cstdio>
#include <map>

#include "arena/leaderboard_report.h"
#include "board/leaderboard.h"
#include "cli/model_loader.h"
#include "control/books.h"
#include "control/usage_report.h"
#include "platform/mapped_file.h"

namespace fab::cli {

namespace json = boost::json;

int RunLeaderboard(const LeaderboardOptions& options) {
  StatusOr<MappedFile> file = MappedFile::Open(options.votes_path);
  if (!file.ok()) return ReportError(file.status());
  StatusOr<std::vector<board::NamedVote>> votes =
      board::ParseVotesJsonl(std::string_view(reinterpret_cast<const char*>(file->data()), file->size()));
  if (!votes.ok()) return ReportError(votes.status().WithContext(options.votes_path));
  const board::Leaderboard result = board::ComputeLeaderboard(*votes, options.bootstrap, options.seed);
  std::map<std::string, control::ModelUsage> usage;
  if (!options.db_url.empty()) {
    StatusOr<std::unique_ptr<control::Books>> books = control::Books::Open(
        options.db_url, options.secret_file.empty() ? control::DefaultSecretPath() : options.secret_file);
    if (!books.ok()) return ReportError(books.status());
    StatusOr<std::vector<control::ModelUsage>> rows = control::QueryModelUsage((*books)->database(), 0, INT64_MAX);
    if (!rows.ok()) return ReportError(rows.status());
    for (control::ModelUsage& row : *rows) usage[row.model] = std::move(row);
  }
  StatusOr<json::object> eval_scores = arena::ReadEvalScores(options.eval_paths);
  if (!eval_scores.ok()) return ReportError(eval_scores.status());
  if (options.json) {
    const json::object out = arena::LeaderboardJson(result, usage, *eval_scores, options.seed);
    std::printf("%s\n", json::serialize(out).c_str());
    return 0;
  }
  std::printf("%-4s  %-32s  %8s  %17s  %8s  %6s  %10s  %9s  %9s\n", "rank", "model", "rating", "95% CI", "battles",
              "wins", "$/Mtok", "J/token", "TPOT ms");
  for (const board::Standing& s : result.models) {
    std::printf("%-4lld  %-32s  %8.1f  %7.1f – %7.1f  %8lld  %6lld", static_cast<long long>(s.rank), s.model.c_str(),
                s.rating, s.ci_low, s.ci_high, static_cast<long long>(s.battles), static_cast<long long>(s.wins));
    if (const auto found = usage.find(s.model); found != usage.end()) {
      std::printf("  %10.3g  %9.3g  %9.2f", found->second.cost_per_mtok(), found->second.joules_per_token(),
                  found->second.median_tpot_s.value_or(0.0) * 1e3);
    }
    std::printf("\n");
  }
  std::printf("%lld votes, %lld bootstrap resamples, seed %llu\n", static_cast<long long>(result.n_votes),
              static_cast<long long>(result.bootstrap), static_cast<unsigned long long>(options.seed));
  if (result.regularised) {
    std::printf("note: the maximum-likelihood fit does not exist (%s); an L2 prior keeps the ratings finite\n",
                result.why.c_str());
  }
  return 0;
}

void AddLeaderboard(CLI::App& app, LeaderboardOptions& options, int& code) {
  CLI::App* cmd = app.add_subcommand("leaderboard", "Bradley–Terry ratings with bootstrap CIs from arena votes");
  cmd->add_option("--votes", options.votes_path, "JSON lines: {\"model_a\", \"model_b\", \"winner\"}")->required();
  cmd->add_option("--bootstrap", options.bootstrap, "Resamples behind the 95% intervals (0: none)")
      ->check(CLI::Range(int64_t{0}, board::kMaxBootstrap));
  cmd->add_option("--seed", options.seed, "Seed of the resampling");
  cmd->add_option("--db", options.db_url, "The books (sqlite://PATH or postgres://USER@HOST:PORT/DB): cost and energy per model");
  cmd->add_option("--secret-file", options.secret_file, "The books' server secret (default: the serve default)");
  cmd->add_option("--eval", options.eval_paths, "A `tokenfab eval --json` result (repeatable)");
  cmd->add_flag("--json", options.json, "Print one JSON object");
  cmd->callback([&] { code = RunLeaderboard(options); });
}

}  // namespace fab::cli
