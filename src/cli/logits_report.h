// The numbers `tokenfab logits` writes and the golden tests compare: for each
// prompt, its token ids (with BOS), the full logits after the prompt, and n
// greedy steps each with the top 20 (id, logit) pairs. The first step follows
// the whole prompt; each later step feeds the previous greedy token.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "base/status.h"
#include "base/types.h"
#include "model/model.h"
#include "platform/thread_pool.h"
#include "tokenizer/tokenizer.h"

namespace fab::cli {

struct LogitsStep {
  TokenId greedy = 0;
  std::vector<std::pair<TokenId, float>> top;  // best first
};

struct LogitsCase {
  std::string prompt;
  std::vector<TokenId> prompt_ids;
  std::vector<float> first_logits;  // [n_vocab]
  std::vector<LogitsStep> steps;
};

struct LogitsReport {
  std::string model_name;
  int64_t n_vocab = 0;
  std::vector<LogitsCase> cases;
};

constexpr int kTopLogits = 20;

StatusOr<LogitsReport> ComputeLogitsReport(const model::Model& model, const Tokenizer& tokenizer,
                                           const std::vector<std::string>& prompts, int64_t n_steps,
                                           ThreadPool& pool);

// The result.json schema of ../shared/golden/logits/*.json.
boost::json::value LogitsReportToJson(const LogitsReport& report);

}  // namespace fab::cli
