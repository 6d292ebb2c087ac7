// Loads a model and its tokenizer for a CLI command, with a progress bar,
// falling back to the built-in demo model when no path is given.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace fab::cli {

struct LoadedModel {
  std::string path;
  std::unique_ptr<model::Model> model;
  std::unique_ptr<Tokenizer> tokenizer;
};

StatusOr<LoadedModel> LoadModelForCli(const std::string& path, bool show_progress);

// Prints "tokenfab: <status>" to stderr and returns exit code 1.
int ReportError(const Status& status);

}  // namespace fab::cli
