#include "cli/eval_command.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/model_loader.h"
#include "eval/harness.h"
#include "eval/task_file.h"
#include "eval/task_license.h"
#include "eval/tasks.h"
#include "platform/mapped_file.h"

namespace fab::cli {
namespace {

namespace json = boost::json;

bool IsTaskFile(const std::string& spec) {
  const auto ends = [&](std::string_view tail) {
    return spec.size() >= tail.size() && spec.compare(spec.size() - tail.size(), tail.size(), tail) == 0;
  };
  return ends(".yaml") || ends(".yml");
}

json::object SampleJson(const std::string& task, const eval::Sample& s) {
  json::object out{{"task", task}, {"doc", s.doc}, {"prompt", s.prompt}, {"acc", s.acc}};
  if (!s.continuations.empty()) {
    out["continuations"] = json::value_from(s.continuations);
    out["loglikelihoods"] = json::value_from(s.loglikelihoods);
    out["gold"] = s.gold;
    out["acc_norm"] = s.acc_norm;
  } else {
    out["generated"] = s.generated;
    out["answer"] = s.answer;
    out["target"] = s.target;
  }
  return out;
}

// {task: {metric: value}} of an earlier --json result.
StatusOr<json::object> ReadReference(const std::string& path) {
  FAB_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  boost::system::error_code error;
  const json::value value =
      json::parse(std::string_view(reinterpret_cast<const char*>(file.data()), file.size()), error);
  const json::value* tasks = !error && value.is_object() ? value.as_object().if_contains("tasks") : nullptr;
  if (tasks == nullptr || !tasks->is_array()) return InvalidArgumentError(path + " is not a `tokenfab eval --json` result");
  json::object by_task;
  for (const json::value& task : tasks->as_array()) {
    if (!task.is_object() || !task.as_object().contains("task") || !task.as_object().contains("metrics")) continue;
    by_task[task.at("task").as_string()] = task.at("metrics");
  }
  return by_task;
}

// --pack DIR: every task file checked and its licence judged first, then
// each copied with its data to DIR/<task>/, and DIR/LICENSES.txt written.
int PackTasks(const EvalOptions& options) {
  namespace fs = std::filesystem;
  struct Packed {
    fs::path yaml;
    eval::TaskFile file;
  };
  std::vector<Packed> packed;
  for (const std::string& spec : options.tasks) {
    if (!IsTaskFile(spec)) {
      std::printf("%s: built in (generated from a seed), nothing to pack\n", spec.c_str());
      continue;
    }
    StatusOr<eval::TaskFile> file = eval::LoadTaskFile(spec, 0);
    if (!file.ok()) return ReportError(file.status());
    const eval::LicenseVerdict verdict = eval::ClassifyLicense(file->task.license);
    if (verdict.redistribution != eval::Redistribution::kAllowed) {
      return ReportError(FailedPreconditionError(
          "task " + file->task.name + " (" + spec + ") cannot be bundled: its licence '" + file->task.license + "': " +
          verdict.why + "; only data whose licence allows redistribution is packed (nothing was written)"));
    }
    const fs::path data(file->dataset_path);
    if (data.is_absolute() || data.lexically_normal().string().rfind("..", 0) == 0) {
      return ReportError(InvalidArgumentError("task " + file->task.name + ": dataset_path '" + file->dataset_path +
                                              "' leaves the task file's folder; move the data beside it to pack it"));
    }
    packed.push_back(Packed{fs::path(spec), std::move(file).value()});
  }
  std::string licenses = "The task data packed here, and the licence each is used under:\n";
  for (const Packed& task : packed) {
    const fs::path into = fs::path(options.pack_dir) / task.file.task.name;
    std::error_code error;
    fs::create_directories(into / fs::path(task.file.dataset_path).parent_path(), error);
    if (!error) fs::copy_file(task.yaml, into / task.yaml.filename(), fs::copy_options::overwrite_existing, error);
    if (!error) {
      fs::copy_file(task.yaml.parent_path() / task.file.dataset_path, into / task.file.dataset_path,
                    fs::copy_options::overwrite_existing, error);
    }
    if (error) return ReportError(InternalError("packing " + task.file.task.name + " into " + into.string() + ": " + error.message()));
    licenses += task.file.task.name + ": " + task.file.task.license + "\n";
    std::printf("%s: packed into %s (licence %s)\n", task.file.task.name.c_str(), into.c_str(),
                task.file.task.license.c_str());
  }
  std::ofstream(fs::path(options.pack_dir) / "LICENSES.txt") << licenses;
  return 0;
}

}  // namespace

int RunEval(const EvalOptions& options) {
  if (options.tasks.empty()) return ReportError(InvalidArgumentError("give --tasks (built in: see --help)"));
  if (!options.pack_dir.empty()) return PackTasks(options);
  std::optional<json::object> reference;
  if (!options.reference_path.empty()) {
    StatusOr<json::object> read = ReadReference(options.reference_path);
    if (!read.ok()) return ReportError(read.status());
    reference = std::move(read).value();
  }
  std::ofstream samples;
  if (!options.log_samples_path.empty()) {
    samples.open(options.log_samples_path, std::ios::trunc);
    if (!samples) return ReportError(InternalError("cannot write " + options.log_samples_path));
  }
  const eval::EndpointOptions endpoint{options.base_url, options.model, options.api_key};
  const eval::HarnessOptions harness{options.num_fewshot, options.seed, options.bootstrap};
  json::array results;
  if (!options.json) std::printf("%-16s %-12s %6s %17s %6s %8s\n", "task", "metric", "value", "95% CI", "n", "% of ref");
  for (const std::string& spec : options.tasks) {
    StatusOr<eval::Task> task = InternalError("no task");
    eval::HarnessOptions task_harness = harness;
    if (IsTaskFile(spec)) {
      StatusOr<eval::TaskFile> file = eval::LoadTaskFile(spec, options.limit);
      if (!file.ok()) return ReportError(file.status());
      if (!options.num_fewshot_given && file->num_fewshot) task_harness.num_fewshot = *file->num_fewshot;
      task = std::move(file->task);
    } else {
      task = eval::BuiltinTask(spec, options.seed, options.limit);
    }
    if (!task.ok()) return ReportError(task.status());
    const std::string& name = task->name;
    StatusOr<eval::TaskScore> score = eval::RunTask(*task, endpoint, task_harness);
    if (!score.ok()) return ReportError(score.status().WithContext("task " + name));
    json::object metrics;
    for (const eval::MetricScore& m : score->metrics) {
      json::object entry{{"value", m.value}, {"ci_low", m.ci_low}, {"ci_high", m.ci_high}};
      double percent = std::nan("");
      if (reference) {
        const json::value* ref = reference->if_contains(name);
        const json::value* ref_metric = ref != nullptr && ref->is_object() ? ref->as_object().if_contains(m.metric) : nullptr;
        if (ref_metric != nullptr && ref_metric->is_object() && ref_metric->as_object().contains("value")) {
          percent = eval::PercentOfReference(m.value, ref_metric->at("value").to_number<double>(), score->random_baseline);
          entry["percent_of_reference"] = std::isnan(percent) ? json::value(nullptr) : json::value(percent);
        }
      }
      metrics[m.metric] = std::move(entry);
      if (!options.json) {
        std::printf("%-16s %-12s %6.3f  %6.3f – %6.3f %6lld %8s\n", name.c_str(), m.metric.c_str(), m.value, m.ci_low,
                    m.ci_high, static_cast<long long>(score->n),
                    std::isnan(percent) ? "-" : (std::to_string(static_cast<int>(std::lround(percent))) + "%").c_str());
      }
    }
    json::object entry{{"task", name},
                       {"n", score->n},
                       {"random_baseline", score->random_baseline},
                       {"num_fewshot", task_harness.num_fewshot},
                       {"metrics", std::move(metrics)}};
    if (!task->license.empty()) {
      entry["license"] = task->license;
      entry["redistribution"] = eval::RedistributionName(eval::ClassifyLicense(task->license).redistribution);
    }
    results.push_back(std::move(entry));
    if (samples.is_open()) {
      for (const eval::Sample& s : score->samples) samples << json::serialize(SampleJson(name, s)) << "\n";
    }
  }
  if (options.json) {
    json::object out{{"base_url", options.base_url}, {"model", options.model}, {"seed", options.seed},
                     {"tasks", std::move(results)}};
    std::printf("%s\n", json::serialize(out).c_str());
  }
  return 0;
}

void AddEval(CLI::App& app, EvalOptions& options, int& code) {
  std::string known;
  for (const std::string& name : eval::BuiltinTaskNames()) known += (known.empty() ? "" : ", ") + name;
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model behind an OpenAI-compatible endpoint on tasks");
  cmd->add_option("--tasks", options.tasks, "Comma-separated built-in tasks (" + known + ") or task files (.yaml)")
      ->delimiter(',')
      ->required();
  cmd->add_option("--base-url", options.base_url, "Server URL (http only)");
  cmd->add_option("--model", options.model, "Model name to send");
  cmd->add_option("--api-key", options.api_key, "Send 'Authorization: Bearer KEY' (default: $OPENAI_API_KEY)");
  cmd->add_option("--limit", options.limit, "Items per task")->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--num-fewshot", options.num_fewshot, "Few-shot examples per prompt")->check(CLI::Range(int64_t{0}, int64_t{64}));
  cmd->add_option("--seed", options.seed, "Seed of the items, the few-shot draws and the bootstrap");
  cmd->add_option("--bootstrap", options.bootstrap, "Resamples behind the 95% CIs (0: none)")
      ->check(CLI::Range(int64_t{0}, int64_t{100000}));
  cmd->add_option("--log-samples", options.log_samples_path, "Write one JSON line per scored item to FILE");
  cmd->add_option("--reference", options.reference_path, "An earlier --json result of the reference model");
  cmd->add_flag("--json", options.json, "Print one JSON object");
  cmd->add_option("--pack", options.pack_dir,
                  "Evaluate nothing: copy the task files and their data to DIR, refusing data whose licence does not "
                  "allow redistribution");
  cmd->callback([cmd, &options, &code] {
    options.num_fewshot_given = cmd->count("--num-fewshot") > 0;
    if (options.api_key.empty()) {
      if (const char* key = std::getenv("OPENAI_API_KEY"); key != nullptr) options.api_key = key;
    }
    code = RunEval(options);
  });
}

}  // namespace fab::cli
