#include "model/expert_panels.h"

#include <sys/mman.h>

#include "base/check.h"
#include "kernels/packed_weights.h"
#include "model/weights.h"

namespace fab::model {
namespace {

constexpr uintptr_t kPageBytes = 4096;

// Drops the whole pages of [data, data + n_bytes) from this process: the
// mapping is private and read-only, so a later read would fault them back in.
void DropFilePages(const void* data, int64_t n_bytes) {
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t first_page = (begin + kPageBytes - 1) / kPageBytes * kPageBytes;
  const uintptr_t last_page = (begin + static_cast<uintptr_t>(n_bytes)) / kPageBytes * kPageBytes;
  if (last_page > first_page) ::madvise(reinterpret_cast<void*>(first_page), last_page - first_page, MADV_DONTNEED);
}

}  // namespace

ExpertPanels::ExpertPanels(const std::vector<LayerWeights>& layers, int64_t n_expert,
                           const int64_t rows_per_expert[3])
    : n_expert_(n_expert) {
  stacks_.resize(layers.size() * 3);
  for (size_t l = 0; l < layers.size(); ++l) {
    const TensorView* files[3] = {&layers[l].ffn_gate_exps, &layers[l].ffn_up_exps, &layers[l].ffn_down_exps};
    for (int m = 0; m < 3; ++m) {
      Stack& stack = stacks_[l * 3 + m];
      stack.file = *files[m];
      stack.rows_per_expert = rows_per_expert[m];
      stack.packable = stack.file.data != nullptr && kernels::CanPack(ExpertMatrix(stack.file, 0, rows_per_expert[m]));
      if (!stack.packable) continue;
      stack.storage = AlignedBuffer(static_cast<size_t>(stack.file.n_bytes()));
      stack.ready = std::make_unique<std::atomic<bool>[]>(static_cast<size_t>(n_expert));
    }
  }
}

TensorView ExpertPanels::Get(int64_t layer, Matrix matrix, int64_t expert, ThreadPool& pool) {
  FAB_CHECK(expert >= 0 && expert < n_expert_ && layer >= 0 && layer * 3 < static_cast<int64_t>(stacks_.size()));
  Stack& stack = StackOf(layer, matrix);
  const TensorView file = ExpertMatrix(stack.file, expert, stack.rows_per_expert);
  if (!stack.packable) return file;
  const int64_t offset = static_cast<const uint8_t*>(file.data) - static_cast<const uint8_t*>(stack.file.data);
  uint8_t* out = stack.storage.data() + offset;
  std::atomic<bool>& ready = stack.ready[static_cast<size_t>(expert)];
  if (!ready.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(pack_mutex_);
    if (!ready.load(std::memory_order_relaxed)) {
      kernels::PackMatrix(file, out, pool);
      DropFilePages(file.data, file.n_bytes());
      packed_count_.fetch_add(1, std::memory_order_relaxed);
      ready.store(true, std::memory_order_release);
    }
  }
  TensorView packed = file;
  packed.data = out;
  packed.dtype = *kernels::PackedDTypeOf(file.dtype);
  return packed;
}

}  // namespace fab::model
