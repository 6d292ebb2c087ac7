#include "cli/leaderboard_command.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "board/bradley_terry.h"
#include "board/leaderboard.h"
#include "cli/model_loader.h"
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
  if (options.json) {
    json::array models;
    for (const board::Standing& s : result.models) {
      models.push_back(json::object{{"model", s.model},      {"rating", s.rating},   {"ci_low", s.ci_low},
                                    {"ci_high", s.ci_high},  {"rank", s.rank},       {"battles", s.battles},
                                    {"wins", s.wins}});
    }
    json::object out{{"models", std::move(models)},
                     {"votes", result.n_votes},
                     {"bootstrap", result.bootstrap},
                     {"seed", options.seed},
                     {"fit", result.regularised ? "L2 prior" : "maximum likelihood"}};
    if (result.regularised) {
      out["note"] = "the maximum-likelihood fit does not exist (" + result.why + "); an L2 prior of " +
                    std::to_string(board::kPriorLambda) + " on the natural-log strengths keeps it finite";
    }
    std::printf("%s\n", json::serialize(out).c_str());
    return 0;
  }
  std::printf("%-4s  %-32s  %8s  %17s  %8s  %6s\n", "rank", "model", "rating", "95% CI", "battles", "wins");
  for (const board::Standing& s : result.models) {
    std::printf("%-4lld  %-32s  %8.1f  %7.1f – %7.1f  %8lld  %6lld\n", static_cast<long long>(s.rank), s.model.c_str(),
                s.rating, s.ci_low, s.ci_high, static_cast<long long>(s.battles), static_cast<long long>(s.wins));
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
  cmd->add_flag("--json", options.json, "Print one JSON object");
  cmd->callback([&] { code = RunLeaderboard(options); });
}

}  // namespace fab::cli
