// Task files in lm-eval's YAML subset: a multiple-choice file with a choice
// field and index targets, and a generation file with a Jinja prompt, stop
// strings and a regex filter, load as the harness needs them; missing
// licences, unknown output types, metrics and filters, bad targets and
// malformed data lines are refused naming the file and what is wrong.
#include "eval/task_file.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace fab::eval {
namespace {

namespace fs = std::filesystem;

fs::path Dir() {
  const fs::path dir = fs::temp_directory_path() / ("tokenfab_task_files_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string Write(const std::string& name, const std::string& text) {
  std::ofstream(Dir() / name) << text;
  return (Dir() / name).string();
}

const char* kFacts = R"({"question": "Which is a fruit?", "options": ["stone", "pear", "cloud"], "label": 1}
{"question": "Which is warm?", "options": ["ice", "snow", "sun"], "label": 2}
{"question": "Which flies?", "options": ["bird", "rock", "shoe"], "label": 0}
)";

TEST(TaskFile, LoadsAMultipleChoiceTask) {
  Write("facts.jsonl", kFacts);
  const std::string path = Write("facts.yaml", R"(task: facts
dataset_path: facts.jsonl
license: CC0-1.0 (written for this test)
output_type: multiple_choice
doc_to_text: "Question: {{question}}\nAnswer:"
doc_to_choice: "{{options}}"
doc_to_target: label
num_fewshot: 1
metric_list:
  - metric: acc
  - metric: acc_norm
)");
  const StatusOr<TaskFile> file = LoadTaskFile(path, 2);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const Task& task = file->task;
  EXPECT_EQ(task.name, "facts");
  EXPECT_EQ(task.license, "CC0-1.0 (written for this test)");
  EXPECT_EQ(file->num_fewshot, 1);
  ASSERT_EQ(task.docs.size(), 2u);
  ASSERT_EQ(task.fewshot_docs.size(), 1u);
  EXPECT_EQ(task.docs[0].context, "Question: Which is a fruit?\nAnswer:");
  EXPECT_EQ(task.docs[0].choices[1], " pear");
  EXPECT_EQ(task.docs[0].gold, 1u);
  EXPECT_EQ(task.docs[1].gold, 2u);
  EXPECT_NEAR(task.random_baseline, 1.0 / 3.0, 1e-12);
  EXPECT_EQ(ExampleText(task, task.fewshot_docs[0]), "Question: Which flies?\nAnswer: bird");
}

TEST(TaskFile, LoadsAGenerationTaskWithStopsAndARegexFilter) {
  Write("sums.jsonl", R"({"a": 2, "b": 3, "sum": "5"}
{"a": 10, "b": 4, "sum": "14"}
)");
  const std::string path = Write("sums.yaml", R"(task: sums
dataset_path: sums.jsonl
license: CC0-1.0
output_type: generate_until
description: "Add the numbers.\n\n"
doc_to_text: "{{a}} + {{b}} ="
doc_to_target: sum
generation_kwargs:
  until: ["\n", "."]
  max_gen_toks: 8
filter_list:
  - name: get-answer
    filter:
      - function: regex
        regex_pattern: "-?[0-9]+"
      - function: take_first
)");
  const StatusOr<TaskFile> file = LoadTaskFile(path, 0);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const Task& task = file->task;
  EXPECT_EQ(task.type, OutputType::kGenerateUntil);
  EXPECT_EQ(task.docs[1].context, "10 + 4 =");
  EXPECT_EQ(task.docs[1].target, "14");
  EXPECT_EQ(task.until, (std::vector<std::string>{"\n", "."}));
  EXPECT_EQ(task.max_gen_toks, 8);
  EXPECT_EQ(task.answer_regex, "-?[0-9]+");
  EXPECT_EQ(task.description, "Add the numbers.\n\n");
}

TEST(TaskFile, RefusesWhatItCannotHonourNamingIt) {
  Write("facts.jsonl", kFacts);
  Write("broken.jsonl", "{\"question\": \"x\"}\nnot json\n");
  const std::string head = "task: t\ndataset_path: facts.jsonl\n";
  const std::string mc = "output_type: multiple_choice\ndoc_to_text: question\ndoc_to_choice: options\n";
  const std::pair<std::string, std::string> cases[] = {
      {head + mc + "doc_to_target: label\n", "'license' is required"},
      {head + "license: MIT\noutput_type: loglikelihood_rolling\ndoc_to_text: q\ndoc_to_target: a\n", "output_type 'loglikelihood_rolling'"},
      {head + "license: MIT\n" + mc + "doc_to_target: label\nmetric_list:\n  - metric: bleu\n", "metric 'bleu'"},
      {head + "license: MIT\n" + mc + "doc_to_target: label\nfilter_list:\n  - filter:\n      - function: majority_vote\n",
       "filter function 'majority_vote'"},
      {head + "license: MIT\n" + mc + "doc_to_target: \"{{question}}\"\n", "neither a choice's index nor its text"},
      {"task: t\ndataset_path: broken.jsonl\nlicense: MIT\n" + mc + "doc_to_target: label\n", "broken.jsonl line 2: not a JSON object"},
      {"task: t\ndataset_path: missing.jsonl\nlicense: MIT\n" + mc + "doc_to_target: label\n", "missing.jsonl"},
      {head + "license: MIT\n" + mc + "doc_to_target: \"{{ label \"\n", "doc_to_target"},
      {"[1, 2]\n", "not a YAML mapping"},
  };
  int i = 0;
  for (const auto& [yaml, part] : cases) {
    const std::string path = Write("case" + std::to_string(i++) + ".yaml", yaml);
    const StatusOr<TaskFile> file = LoadTaskFile(path, 0);
    ASSERT_FALSE(file.ok()) << yaml;
    EXPECT_NE(file.status().message().find(part), std::string::npos) << file.status().message();
    EXPECT_NE(file.status().message().find(path), std::string::npos) << "the message names the file";
  }
}

}  // namespace
}  // namespace fab::eval
