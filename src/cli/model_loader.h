// Loads a model for a CLI command through the public API (tokenfab::Model),
// with a progress bar, falling back to the built-in demo model when no path
// is given. `model` and `tokenizer` point into `handle` and live as long as it.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "model/model.h"
#include "tokenfab/engine.h"
#include "tokenizer/tokenizer.h"

namespace fab::cli {

struct LoadedModel {
  std::string path;
  std::shared_ptr<const tokenfab::Model> handle;
  const model::Model* model = nullptr;
  const Tokenizer* tokenizer = nullptr;
};

StatusOr<LoadedModel> LoadModelForCli(const std::string& path, bool show_progress);

// Prints "tokenfab: <status>" to stderr and returns exit code 1.
int ReportError(const Status& status);

}  // namespace fab::cli
