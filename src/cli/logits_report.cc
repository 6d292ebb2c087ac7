#include "cli/logits_report.h"

#include <algorithm>

#include <boost/json.hpp>

#include "model/session.h"
#include "runtime/sampler.h"

namespace fab::cli {
namespace {

LogitsStep MakeStep(std::span<const float> logits) {
  std::vector<TokenId> order(logits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<TokenId>(i);
  const size_t k = std::min<size_t>(kTopLogits, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](TokenId a, TokenId b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  LogitsStep step;
  step.greedy = runtime::ArgMax(logits);
  for (size_t i = 0; i < k; ++i) step.top.emplace_back(order[i], logits[order[i]]);
  return step;
}

}  // namespace

StatusOr<LogitsReport> ComputeLogitsReport(const model::Model& model, const Tokenizer& tokenizer,
                                           const std::vector<std::string>& prompts, int64_t n_steps,
                                           ThreadPool& pool) {
  LogitsReport report;
  report.n_vocab = model.hparams().n_vocab;
  model::SessionOptions session_options;
  session_options.n_ctx = model.hparams().n_ctx_train;
  model::Session session(model, pool, session_options);
  for (const std::string& prompt : prompts) {
    LogitsCase c;
    c.prompt = prompt;
    FAB_ASSIGN_OR_RETURN(c.prompt_ids, tokenizer.Encode(prompt, /*add_bos=*/true));
    session.Truncate(0);
    FAB_RETURN_IF_ERROR(session.Eval(c.prompt_ids));
    c.first_logits.assign(session.logits().begin(), session.logits().end());
    for (int64_t step_idx = 0; step_idx < n_steps; ++step_idx) {
      c.steps.push_back(MakeStep(session.logits()));
      if (step_idx + 1 == n_steps) break;
      const TokenId next = c.steps.back().greedy;
      FAB_RETURN_IF_ERROR(session.Eval(std::span<const TokenId>(&next, 1)));
    }
    report.cases.push_back(std::move(c));
  }
  return report;
}

boost::json::value LogitsReportToJson(const LogitsReport& report) {
  boost::json::array cases;
  for (const LogitsCase& c : report.cases) {
    boost::json::array ids(c.prompt_ids.begin(), c.prompt_ids.end());
    boost::json::array steps;
    for (const LogitsStep& step : c.steps) {
      boost::json::array top;
      for (const auto& [id, logit] : step.top) top.push_back(boost::json::array{id, logit});
      steps.push_back(boost::json::object{{"greedy", step.greedy}, {"top20", std::move(top)}});
    }
    cases.push_back(boost::json::object{{"prompt", c.prompt}, {"prompt_ids", std::move(ids)}, {"steps", std::move(steps)}});
  }
  return boost::json::object{{"model", report.model_name}, {"n_vocab", report.n_vocab}, {"cases", std::move(cases)}};
}

}  // namespace fab::cli
