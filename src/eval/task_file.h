// Task files: a documented subset of lm-evaluation-harness's YAML task
// format, so users can bring their own tasks to `tokenfab eval`:
//   task: NAME                       required
//   dataset_path: FILE.jsonl         required: a local JSON-lines file, one
//                                    document (an object) a line, relative to
//                                    the YAML file's folder (no downloads)
//   license: TEXT                    required: the data's licence, recorded
//                                    with the results (a task without one is
//                                    refused; only a licence that allows
//                                    redistribution lets `eval --pack` bundle
//                                    it: eval/task_license.h)
//   output_type: multiple_choice | generate_until
//   doc_to_text: TEMPLATE            Jinja over the document's fields ("{{question}}\nAnswer:"),
//                                    or a field name
//   doc_to_target: TEMPLATE | FIELD | INDEX
//                                    multiple choice: the gold choice's index
//                                    (or its text); generation: the answer
//   doc_to_choice: [LIST] | FIELD | "{{FIELD}}"   multiple choice: the choices
//   target_delimiter: " "  fewshot_delimiter: "\n\n"  description: TEXT
//   num_fewshot: N                   the default when --num-fewshot is not given
//   generation_kwargs: {until: [..], max_gen_toks: N}
//   filter_list: [{filter: [{function: regex, regex_pattern: RE}, {function: take_first}]}]
//   metric_list: [{metric: acc | acc_norm | exact_match}, …]
// Other metrics, output types and filter functions are refused naming them;
// keys lm-eval uses only for its hub (tag, group, dataset_name, splits,
// metadata, …) are ignored. Few-shot examples come from the file's other
// documents. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "eval/tasks.h"

namespace fab::eval {

struct TaskFile {
  Task task;
  std::optional<int64_t> num_fewshot;  // the file's default
  std::string dataset_path;            // as the file writes it (relative to the file's folder)
};

// At most `limit` documents are evaluated (0: all); the rest (and, when
// the file is small, the evaluated ones too) serve as few-shot examples.
// InvalidArgument naming the file and the key or line that is wrong.
StatusOr<TaskFile> LoadTaskFile(const std::string& path, int64_t limit);

}  // namespace fab::eval
