// TensorView: a non-owning view of a weight or activation tensor. Dimensions
// follow ggml: ne[0] is the row length (contiguous), ne[1] the number of rows,
// ne[2], ne[3] outer dimensions. Rows are densely packed blocks of `dtype`.
// The data is owned elsewhere (usually the mmap of a GGUF file).
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace fab {

struct TensorView {
  DType dtype = DType::kF32;
  int64_t ne[4] = {1, 1, 1, 1};
  const void* data = nullptr;

  int64_t row_length() const { return ne[0]; }
  int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  // Bytes of one row; the shape was validated when the view was made.
  int64_t row_bytes() const {
    const DTypeInfo& info = GetDTypeInfo(dtype);
    return ne[0] / info.block_size * info.type_size;
  }
  int64_t n_bytes() const { return row_bytes() * n_rows(); }
  const uint8_t* row(int64_t row_idx) const {
    return static_cast<const uint8_t*>(data) + row_idx * row_bytes();
  }
};

}  // namespace fab
