#include "cli/default_model.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "model/synth.h"
#include "platform/thread_pool.h"

namespace fab::cli {
namespace {

constexpr const char* kDemoShape = "demo-tiny";
constexpr const char* kDemoFile = "demo-tiny-q8_0.gguf";

StatusOr<std::filesystem::path> CacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "tokenfab";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".cache" / "tokenfab";
  }
  return FailedPreconditionError("neither XDG_CACHE_HOME nor HOME is set: pass a model with -m");
}

}  // namespace

StatusOr<std::string> EnsureDemoModel() {
  FAB_ASSIGN_OR_RETURN(std::filesystem::path dir, CacheDir());
  const std::filesystem::path path = dir / kDemoFile;
  std::error_code error;
  if (std::filesystem::exists(path, error)) return path.string();
  std::filesystem::create_directories(dir, error);
  if (error) return InternalError("cannot create " + dir.string() + ": " + error.message());
  std::fprintf(stderr,
               "tokenfab: no model given; writing the built-in demo model to %s.\n"
               "tokenfab: its weights are RANDOM, so its text is noise. Pass -m FILE.gguf for a real model.\n",
               path.string().c_str());
  model::SynthOptions options;
  options.shape = model::FindSynthShape(kDemoShape);
  options.quant = DType::kQ8_0;
  options.out_path = path.string();
  ThreadPool pool(DefaultThreadCount());
  FAB_RETURN_IF_ERROR(model::SynthesizeModel(options, pool));
  return path.string();
}

}  // namespace fab::cli
