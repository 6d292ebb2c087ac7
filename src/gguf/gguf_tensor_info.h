// GgufTensorInfo: one entry of a GGUF tensor directory, validated, with a
// view of its bytes. The view's data points into the file's bytes (the mmap
// or the borrowed buffer): valid only while the GgufFile that made it lives.
#pragma once

#include <cstdint>
#include <string>

#include "tensor/dtype.h"
#include "tensor/tensor_view.h"

namespace fab {

struct GgufTensorInfo {
  std::string name;           // unique within the file, non-empty
  DType dtype = DType::kF32;
  int n_dims = 1;             // 1..4; ne[n_dims..3] are 1
  int64_t ne[4] = {1, 1, 1, 1};  // ne[0] is the row length (contiguous)
  uint64_t offset_in_data = 0;   // from the start of the data section; a multiple of the alignment
  int64_t n_bytes = 0;           // == view.n_bytes()
  TensorView view;               // dtype, ne and data (into the file's bytes)
};

}  // namespace fab
