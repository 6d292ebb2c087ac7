#include "model/model.h"

#include <sys/mman.h>

#include <cstdint>
#include <unordered_set>
#include <utility>

#include "kernels/dispatch.h"

namespace fab::model {
namespace {

constexpr int64_t kPageBytes = 4096;

// Stacked expert tensors (ffn_*_exps) are read only where a token is routed:
// they are neither repacked nor prefaulted.
bool IsStackedExperts(const GgufTensorInfo& tensor) { return tensor.name.find("_exps.") != std::string::npos; }

// Reads one byte of every page of every tensor but `skipped` ones (by data
// pointer) and stacked experts, reporting progress.
void Prefault(const GgufFile& gguf, std::unordered_set<const void*> skipped,
              const std::function<void(double)>& on_progress) {
  for (const GgufTensorInfo& tensor : gguf.tensors()) {
    if (IsStackedExperts(tensor)) skipped.insert(tensor.view.data);
  }
  int64_t total = 0;
  for (const GgufTensorInfo& tensor : gguf.tensors()) {
    if (!skipped.count(tensor.view.data)) total += tensor.n_bytes;
  }
  int64_t done = 0;
  int64_t next_report = 0;
  volatile uint8_t sink = 0;
  for (const GgufTensorInfo& tensor : gguf.tensors()) {
    if (skipped.count(tensor.view.data)) continue;
    const uint8_t* bytes = static_cast<const uint8_t*>(tensor.view.data);
    for (int64_t offset = 0; offset < tensor.n_bytes; offset += kPageBytes) sink = sink + bytes[offset];
    done += tensor.n_bytes;
    if (on_progress && done >= next_report) {
      on_progress(total > 0 ? static_cast<double>(done) / total : 1.0);
      next_report = done + total / 100;
    }
  }
  if (on_progress) on_progress(1.0);
}

// Repacks the matrices the kernels want packed and returns the data pointers
// of the file tensors no longer read, after dropping their whole pages from
// this process (the mapping is private and read-only: a later read would
// simply fault them back in), so resident memory holds one copy of them.
std::unordered_set<const void*> RepackAndDropFilePages(ModelWeights& weights) {
  ThreadPool pool(DefaultThreadCount());
  std::unordered_set<const void*> dropped;
  RepackWeights(weights, pool, [&](const TensorView& file_view) {
    dropped.insert(file_view.data);
    const auto begin = reinterpret_cast<uintptr_t>(file_view.data);
    const uintptr_t first_page = (begin + kPageBytes - 1) / kPageBytes * kPageBytes;
    const uintptr_t last_page = (begin + file_view.n_bytes()) / kPageBytes * kPageBytes;
    if (last_page > first_page) {
      ::madvise(reinterpret_cast<void*>(first_page), last_page - first_page, MADV_DONTNEED);
    }
  });
  return dropped;
}

}  // namespace

Status CheckLoadable(const GgufFile& gguf) {
  FAB_ASSIGN_OR_RETURN(std::string arch_name, gguf.GetString("general.architecture"));
  FAB_ASSIGN_OR_RETURN(const ArchSpec* arch, FindArch(arch_name));
  FAB_ASSIGN_OR_RETURN(ModelHparams hparams, arch->read_hparams(gguf, HparamLimits{}));
  return arch->bind_weights(gguf, hparams).status();
}

Model::Model(GgufFile gguf, ModelHparams hparams, ModelWeights weights, const ArchSpec* arch)
    : gguf_(std::move(gguf)), hparams_(std::move(hparams)), weights_(std::move(weights)), arch_(arch) {}

StatusOr<std::unique_ptr<Model>> Model::Load(const std::string& path, const LoadOptions& options) {
  FAB_ASSIGN_OR_RETURN(GgufFile gguf, GgufFile::Open(path));
  FAB_ASSIGN_OR_RETURN(std::string arch_name, gguf.GetString("general.architecture"));
  FAB_ASSIGN_OR_RETURN(const ArchSpec* arch, FindArch(arch_name));
  auto hparams_or = arch->read_hparams(gguf, HparamLimits{});
  if (!hparams_or.ok()) return hparams_or.status().WithContext(path);
  ModelHparams hparams = std::move(hparams_or).value();
  auto weights_or = arch->bind_weights(gguf, hparams);
  if (!weights_or.ok()) return weights_or.status().WithContext(path);
  ModelWeights weights = std::move(weights_or).value();
  std::unordered_set<const void*> repacked;
  if (options.repack_weights.value_or(kernels::ActiveKernels().quant.prefers_packed_weights)) {
    repacked = RepackAndDropFilePages(weights);
  }
  if (options.prefault) Prefault(gguf, repacked, options.on_progress);
  return std::unique_ptr<Model>(new Model(std::move(gguf), std::move(hparams), std::move(weights), arch));
}

}  // namespace fab::model
