// ExpertPanels: the packed twins (kernels/packed_weights.h) of a model's
// stacked expert matrices, made the first time a token is routed to an
// expert instead of at load. Loading touches no expert; afterwards resident
// memory holds one copy of each expert in use and nothing of the others: an
// expert's panels live in a lazily mapped buffer this object owns (only the
// pages of packed experts are ever written) and its file pages are dropped
// once it is packed.
// Thread-safe: forwards of several engines over one model may ask at once;
// each expert is packed exactly once and never moves afterwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "base/aligned_buffer.h"
#include "platform/thread_pool.h"
#include "tensor/tensor_view.h"

namespace fab::model {

struct LayerWeights;

class ExpertPanels {
 public:
  enum Matrix { kGate = 0, kUp = 1, kDown = 2 };

  // For `layers`' stacked experts (ffn_{gate,up,down}_exps) of n_expert
  // experts each; rows_per_expert[kGate / kUp / kDown] as ExpertMatrix
  // takes them. Matrices that cannot be packed are handed out as file views.
  ExpertPanels(const std::vector<LayerWeights>& layers, int64_t n_expert, const int64_t rows_per_expert[3]);
  ExpertPanels(const ExpertPanels&) = delete;
  ExpertPanels& operator=(const ExpertPanels&) = delete;

  // Expert `expert` of layer `layer`'s `matrix`: its packed panels (packed
  // over `pool` by the first caller, which must not be inside pool.Run), or
  // its view in the file when the dtype has no packed form.
  TensorView Get(int64_t layer, Matrix matrix, int64_t expert, ThreadPool& pool);

  // How many experts have been packed so far (all layers and matrices).
  int64_t packed_count() const { return packed_count_.load(std::memory_order_relaxed); }

 private:
  struct Stack {
    TensorView file;          // the stacked matrix in the file
    int64_t rows_per_expert;
    bool packable;
    AlignedBuffer storage;    // file.n_bytes(), mapped lazily; expert e at e's file offset
    std::unique_ptr<std::atomic<bool>[]> ready;
  };

  Stack& StackOf(int64_t layer, Matrix matrix) { return stacks_[static_cast<size_t>(layer * 3 + matrix)]; }

  int64_t n_expert_;
  std::vector<Stack> stacks_;  // [layer][matrix]
  std::mutex pack_mutex_;      // held while one expert is packed
  std::atomic<int64_t> packed_count_{0};
};

}  // namespace fab::model
