#include "board/leaderboard.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "base/percentile.h"
#include "board/bradley_terry.h"

namespace fab::board {
namespace {

namespace json = boost::json;

constexpr size_t kMaxNameBytes = 256;

}  // namespace

StatusOr<std::vector<NamedVote>> ParseVotesJsonl(std::string_view text) {
  std::vector<NamedVote> votes;
  int64_t line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::string where = "votes line " + std::to_string(line_number) + ": ";
    if (static_cast<int64_t>(votes.size()) >= kMaxVotes) {
      return ResourceExhaustedError(where + "more than " + std::to_string(kMaxVotes) + " votes");
    }
    boost::system::error_code error;
    const json::value value = json::parse(line, error);
    if (error || !value.is_object()) return InvalidArgumentError(where + "not a JSON object");
    const json::object& object = value.as_object();
    NamedVote vote;
    for (auto [key, out] : {std::pair{"model_a", &vote.model_a}, std::pair{"model_b", &vote.model_b}}) {
      const json::value* name = object.if_contains(key);
      if (name == nullptr || !name->is_string() || name->as_string().empty() || name->as_string().size() > kMaxNameBytes) {
        return InvalidArgumentError(where + "'" + key + "' must be a model name (1 to 256 bytes)");
      }
      *out = std::string(name->as_string());
    }
    if (vote.model_a == vote.model_b) return InvalidArgumentError(where + "a model cannot battle itself");
    const json::value* winner = object.if_contains("winner");
    const std::string_view said = winner != nullptr && winner->is_string() ? std::string_view(winner->as_string()) : "";
    if (said == "model_a") {
      vote.score_a = 1.0;
    } else if (said == "model_b") {
      vote.score_a = 0.0;
    } else if (said == "tie" || said == "tie (bothbad)") {
      vote.score_a = 0.5;
    } else {
      return InvalidArgumentError(where + "'winner' must be \"model_a\", \"model_b\", \"tie\" or \"tie (bothbad)\"");
    }
    votes.push_back(std::move(vote));
  }
  return votes;
}

Leaderboard ComputeLeaderboard(const std::vector<NamedVote>& named, int64_t bootstrap, uint64_t seed) {
  Leaderboard board;
  board.n_votes = static_cast<int64_t>(named.size());
  board.bootstrap = std::clamp<int64_t>(bootstrap, 0, kMaxBootstrap);
  std::map<std::string, uint32_t> index;
  for (const NamedVote& vote : named) {
    index.emplace(vote.model_a, 0);
    index.emplace(vote.model_b, 0);
  }
  std::vector<std::string> names;
  for (auto& [name, i] : index) {
    i = static_cast<uint32_t>(names.size());
    names.push_back(name);
  }
  const auto n = static_cast<uint32_t>(names.size());
  std::vector<Vote> votes;
  votes.reserve(named.size());
  std::vector<Standing> standings(n);
  for (uint32_t i = 0; i < n; ++i) standings[i].model = names[i];
  for (const NamedVote& vote : named) {
    const uint32_t a = index.at(vote.model_a), b = index.at(vote.model_b);
    votes.push_back(Vote{a, b, vote.score_a});
    ++standings[a].battles;
    ++standings[b].battles;
    if (vote.score_a == 1.0) ++standings[a].wins;
    if (vote.score_a == 0.0) ++standings[b].wins;
  }
  if (n == 0) return board;
  const Fit fit = FitBradleyTerry(n, votes);
  if (fit.why) {
    board.regularised = true;
    board.why = fit.why->model ? "model '" + names[*fit.why->model] + "' " + fit.why->what : fit.why->what;
  }
  std::vector<std::vector<double>> samples(n);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, votes.size() - 1);
  std::vector<Vote> resample(votes.size());
  for (int64_t round = 0; round < board.bootstrap; ++round) {
    for (Vote& vote : resample) vote = votes[pick(rng)];
    const Fit refit = FitBradleyTerry(n, resample);
    for (uint32_t i = 0; i < n; ++i) samples[i].push_back(refit.ratings[i]);
  }
  for (uint32_t i = 0; i < n; ++i) {
    standings[i].rating = fit.ratings[i];
    std::sort(samples[i].begin(), samples[i].end());
    standings[i].ci_low = board.bootstrap > 0 ? Percentile(samples[i], 2.5) : fit.ratings[i];
    standings[i].ci_high = board.bootstrap > 0 ? Percentile(samples[i], 97.5) : fit.ratings[i];
  }
  for (Standing& standing : standings) {
    standing.rank = 1;
    for (const Standing& other : standings) standing.rank += other.ci_low > standing.ci_high ? 1 : 0;
  }
  std::stable_sort(standings.begin(), standings.end(),
                   [](const Standing& x, const Standing& y) { return x.rating > y.rating; });
  board.models = std::move(standings);
  return board;
}

}  // namespace fab::board
