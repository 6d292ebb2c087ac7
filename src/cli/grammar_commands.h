// `tokenfab grammar check` and `tokenfab bench grammar`: compile a grammar
// and say what was refused; time token masks on a model's vocabulary.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace fab::cli {

struct GrammarCheckOptions {
  std::string gbnf_path;
  std::string schema_path;  // a JSON Schema instead of GBNF
  std::string regex;        // a regular expression instead (its text, not a file)
  bool print = false;       // print the grammar's GBNF (a schema's, as compiled)
  bool json = false;
};

struct BenchGrammarOptions {
  std::string model_path;  // empty: the built-in demo model
  std::string gbnf_path;   // empty (and no schema): a built-in JSON grammar
  std::string schema_path; // a JSON Schema instead
  std::string regex;       // a regular expression instead (its text)
  std::string text_path;   // the output the masks are timed along; empty: a built-in JSON document
  int repeat = 3;          // timed passes over the text (after one pass that fills the cache)
  bool json = false;
};

// Adds `grammar check` to `app` and `grammar` to the `bench` subcommand.
void AddGrammarCommands(CLI::App& app, CLI::App* bench, GrammarCheckOptions& check, BenchGrammarOptions& bench_options,
                        int& code);

}  // namespace fab::cli
