// The evaluation harness, in the manner of lm-evaluation-harness, against
// any OpenAI-compatible /v1/completions endpoint (ours first):
//   - a multiple-choice item asks, for each choice, the log-likelihood of
//     the choice after the prompt: one request with the prompt and choice
//     as text, echo, logprobs and max_tokens 0; the sum of the logprobs of
//     the tokens that hold choice bytes (text_offset past the prompt's end,
//     or straddling it). acc: the best sum is the gold choice; acc_norm: the
//     best sum per byte of the choice;
//   - a generate_until item asks for greedy text until the task's stop
//     strings; exact_match compares its answer (tasks.h) with the target.
// Prompts: the task's description, then `num_fewshot` examples drawn with
// the seed from the task's few-shot pool, each its context and right answer
// followed by the few-shot delimiter ("\n\n"), then the item. Scores come with a bootstrap 95% CI over items (1000
// resamples, seeded). Blocking; one harness per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "eval/tasks.h"

namespace fab::eval {

struct EndpointOptions {
  std::string base_url = "http://127.0.0.1:8080";
  std::string model;    // sent as "model" when not empty
  std::string api_key;  // sent as Authorization: Bearer when not empty
};

struct HarnessOptions {
  int64_t num_fewshot = 0;
  uint64_t seed = 1234;
  int64_t bootstrap = 1000;
};

// One scored item, as --log-samples writes it.
struct Sample {
  size_t doc = 0;
  std::string prompt;                      // with the few-shot examples
  std::vector<std::string> continuations;  // multiple choice: the choices
  std::vector<double> loglikelihoods;      // multiple choice: per choice
  size_t gold = 0;
  std::string generated;                   // generate_until: the text
  std::string answer;                      // generate_until: what was compared
  std::string target;
  double acc = 0.0;       // acc (multiple choice) or exact_match (generation)
  double acc_norm = 0.0;  // multiple choice only
};

struct MetricScore {
  std::string metric;  // "acc", "acc_norm", "exact_match"
  double value = 0.0;
  double ci_low = 0.0;
  double ci_high = 0.0;
};

struct TaskScore {
  std::string task;
  int64_t n = 0;
  double random_baseline = 0.0;
  std::vector<MetricScore> metrics;
  std::vector<Sample> samples;
};

// Runs `task` item by item; `on_item` (may be null) is told how many are done.
// Unavailable for an endpoint that cannot be reached or answers with an
// error (its message included).
StatusOr<TaskScore> RunTask(const Task& task, const EndpointOptions& endpoint, const HarnessOptions& options,
                            const std::function<void(size_t done)>& on_item = nullptr);

// "% of reference": (score − baseline) / (reference − baseline), in percent;
// nullopt-like NaN when the reference is not above the baseline.
double PercentOfReference(double score, double reference, double random_baseline);

}  // namespace fab::eval
