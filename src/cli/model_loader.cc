#include "cli/model_loader.h"

#include <cstdio>

#include "api/internals.h"
#include "cli/default_model.h"
#include "cli/progress_bar.h"

namespace fab::cli {

StatusOr<LoadedModel> LoadModelForCli(const std::string& path, bool show_progress) {
  LoadedModel loaded;
  loaded.path = path;
  if (loaded.path.empty()) {
    FAB_ASSIGN_OR_RETURN(loaded.path, EnsureDemoModel());
    std::fprintf(stderr, "tokenfab: using the built-in demo model %s: its weights are random, its text is noise\n",
                 loaded.path.c_str());
  }
  {
    ProgressBar bar("loading", show_progress);
    tokenfab::ModelOptions options;
    options.on_progress = [&bar](double fraction) { bar.Update(fraction); };
    FAB_ASSIGN_OR_RETURN(loaded.handle, tokenfab::Model::Load(loaded.path, options));
  }
  loaded.model = loaded.handle->internals().model.get();
  loaded.tokenizer = loaded.handle->internals().tokenizer.get();
  return loaded;
}

int ReportError(const Status& status) {
  std::fprintf(stderr, "tokenfab: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace fab::cli
