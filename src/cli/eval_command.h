// `tokenfab eval --tasks a,b.yaml [--base-url URL] [--model NAME] [--limit 50]
// [--num-fewshot 0] [--seed 1234] [--bootstrap 1000] [--log-samples FILE]
// [--reference FILE] [--json]`: built-in tasks (eval/tasks.h) and task
// files (lm-eval's YAML subset, eval/task_file.h) against
// an OpenAI-compatible endpoint (eval/harness.h): per task its metrics with
// bootstrap 95% CIs, and with --reference (an earlier --json result of the
// reference model) each metric as "% of reference" over the random
// baseline. --log-samples writes one JSON line per scored item. --pack DIR
// evaluates nothing: it gathers the task files and their data into
// DIR/<task>/ (to ship beside a deployment or publish with the board),
// refusing — before anything is written — a task whose licence does not
// allow redistribution (eval/task_license.h). Options and entry point.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace fab::cli {

struct EvalOptions {
  std::string base_url = "http://127.0.0.1:8080";
  std::string model;
  std::string api_key;
  std::vector<std::string> tasks;
  int64_t limit = 50;
  int64_t num_fewshot = 0;
  bool num_fewshot_given = false;  // else a task file's own num_fewshot applies
  uint64_t seed = 1234;
  int64_t bootstrap = 1000;
  std::string log_samples_path;
  std::string reference_path;
  bool json = false;
  std::string pack_dir;
};

int RunEval(const EvalOptions& options);

void AddEval(CLI::App& app, EvalOptions& options, int& code);

}  // namespace fab::cli
