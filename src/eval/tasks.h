// Built-in evaluation tasks, generated procedurally from a seed, so they
// need no download and carry no licence doubt. Each is one of lm-eval's two
// output types:
//   multiple_choice  the choice with the highest log-likelihood after the
//                    context is the answer (acc; acc_norm divides by the
//                    choice's length in bytes);
//   generate_until   greedy text until a stop string, its first match of
//                    `answer_regex` (or the whole text, trimmed) compared
//                    with the target (exact_match).
// Tasks: arith_en and arith_ko (word problems), ko_number_words (Korean
// number words to digits), copy and reverse (word lists), capitals
// (country → capital, from the committed table in tasks.cc), weekdays (a
// day some days after another). Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fab::eval {

enum class OutputType { kMultipleChoice, kGenerateUntil };

struct Doc {
  std::string context;               // the prompt of this item, without few-shot examples
  std::vector<std::string> choices;  // multiple choice: continuations (each starts with its separator)
  size_t gold = 0;                   // multiple choice: the right choice
  std::string target;                // generate_until: the right answer
};

struct Task {
  std::string name;
  OutputType type = OutputType::kMultipleChoice;
  std::vector<Doc> docs;          // evaluated
  std::vector<Doc> fewshot_docs;  // examples for few-shot prompts (never evaluated)
  std::vector<std::string> until = {"\n"};  // generate_until: stop strings
  std::string answer_regex;       // generate_until: the answer is its first match; empty: the trimmed text
  int64_t max_gen_toks = 32;
  double random_baseline = 0.0;   // the score of guessing (1 / choices; 0 for generation)
  std::string target_delimiter = " ";     // between a context and its answer (lm-eval's)
  std::string fewshot_delimiter = "\n\n";  // between few-shot examples
  std::string description;                // before the examples
  std::string license;                    // task files: the data's licence, as recorded
};

std::vector<std::string> BuiltinTaskNames();

// `n_docs` evaluated items (and as many few-shot ones), the same for the
// same seed. NotFound for an unknown name, listing the known ones.
StatusOr<Task> BuiltinTask(std::string_view name, uint64_t seed, int64_t n_docs);

// The text a few-shot example shows: its context and its right answer.
std::string ExampleText(const Task& task, const Doc& doc);

}  // namespace fab::eval
