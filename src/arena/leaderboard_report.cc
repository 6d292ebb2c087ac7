#include "arena/leaderboard_report.h"

#include "board/bradley_terry.h"
#include "platform/mapped_file.h"

namespace fab::arena {

namespace json = boost::json;

StatusOr<json::object> ReadEvalScores(const std::vector<std::string>& paths) {
  json::object by_model;
  for (const std::string& path : paths) {
    FAB_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
    boost::system::error_code error;
    const json::value value =
        json::parse(std::string_view(reinterpret_cast<const char*>(file.data()), file.size()), error);
    const json::object* root = !error ? value.if_object() : nullptr;
    const json::value* model = root != nullptr ? root->if_contains("model") : nullptr;
    const json::value* tasks = root != nullptr ? root->if_contains("tasks") : nullptr;
    if (model == nullptr || !model->is_string() || model->as_string().empty() || tasks == nullptr || !tasks->is_array()) {
      return InvalidArgumentError("--eval " + path + " is not a `tokenfab eval --json` result naming its --model");
    }
    json::object& scores = by_model[model->as_string()].emplace_object();
    for (const json::value& task : tasks->as_array()) {
      const json::object* entry = task.if_object();
      const json::value* name = entry != nullptr ? entry->if_contains("task") : nullptr;
      const json::value* metrics = entry != nullptr ? entry->if_contains("metrics") : nullptr;
      if (name == nullptr || !name->is_string() || metrics == nullptr || !metrics->is_object()) continue;
      json::object values;
      for (const auto& [metric, score] : metrics->as_object()) {
        if (score.is_object() && score.as_object().contains("value")) values[metric] = score.at("value");
      }
      scores[name->as_string()] = std::move(values);
    }
  }
  return by_model;
}

namespace {

// The model's costs from the books and its eval scores, where there are any.
void AddCostsAndScores(json::object& entry, const std::string& model,
                       const std::map<std::string, control::ModelUsage>& usage, const json::object& eval_scores) {
  if (const auto found = usage.find(model); found != usage.end()) {
    entry["requests"] = found->second.requests;
    entry["cost_per_mtok"] = found->second.cost_per_mtok();
    entry["joules_per_token"] = found->second.joules_per_token();
    entry["median_tpot_s"] = found->second.median_tpot_s ? json::value(*found->second.median_tpot_s) : nullptr;
  }
  if (const json::value* scores = eval_scores.if_contains(model)) entry["eval"] = *scores;
}

}  // namespace

json::object LeaderboardJson(const board::Leaderboard& board, const std::map<std::string, control::ModelUsage>& usage,
                             const json::object& eval_scores, uint64_t seed, const std::vector<std::string>& served) {
  json::array models;
  for (const board::Standing& s : board.models) {
    json::object entry{{"model", s.model}, {"rating", s.rating},   {"ci_low", s.ci_low}, {"ci_high", s.ci_high},
                       {"rank", s.rank},   {"battles", s.battles}, {"wins", s.wins}};
    AddCostsAndScores(entry, s.model, usage, eval_scores);
    models.push_back(std::move(entry));
  }
  json::array unrated;
  for (const std::string& model : served) {
    bool rated = false;
    for (const board::Standing& s : board.models) rated = rated || s.model == model;
    if (rated) continue;
    json::object entry{{"model", model}};
    AddCostsAndScores(entry, model, usage, eval_scores);
    unrated.push_back(std::move(entry));
  }
  json::object out{{"models", std::move(models)},
                   {"votes", board.n_votes},
                   {"bootstrap", board.bootstrap},
                   {"seed", seed},
                   {"fit", board.regularised ? "L2 prior" : "maximum likelihood"}};
  if (!unrated.empty()) out["unrated"] = std::move(unrated);
  if (board.regularised) {
    out["note"] = "the maximum-likelihood fit does not exist (" + board.why + "); an L2 prior of " +
                  std::to_string(board::kPriorLambda) + " on the natural-log strengths keeps it finite";
  }
  return out;
}

}  // namespace fab::arena
