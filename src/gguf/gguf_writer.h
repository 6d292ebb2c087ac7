// GgufWriter: builds a little-endian GGUF version 3 file from metadata and
// tensors (format: top of gguf_file.cc). Tensor data is given either as bytes
// or as a fill function called at write time, so WriteFile holds at most one
// tensor's bytes in memory and multi-GB files can be written. Inputs are
// checked when writing (bad shapes, sizes, duplicate names give a Status).
// Not thread-safe; a const writer may write several times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "gguf/gguf_limits.h"
#include "gguf/gguf_value.h"
#include "tensor/dtype.h"

namespace fab {

class GgufWriter {
 public:
  // Writes exactly n_bytes of the tensor's data into dst.
  using FillFunction = std::function<void(uint8_t* dst, size_t n_bytes)>;
  // Called after each tensor's data is written: (tensors written, all tensors).
  using ProgressFunction = std::function<void(size_t n_tensors_written, size_t n_tensors)>;

  // Sets general.alignment (a power of two <= 1 MiB, checked when writing).
  // Adding the key "general.alignment" directly has the same effect.
  void SetAlignment(size_t alignment);
  // Keeps insertion order; re-adding a key replaces its value in place.
  void Add(std::string key, GgufValue value);
  // shape is ne[0] first (1..4 dims, each >= 0); data must hold exactly the
  // tensor's bytes. Tensors are laid out in the order added.
  void AddTensor(std::string name, DType dtype, std::vector<int64_t> shape, std::vector<uint8_t> data);
  void AddTensor(std::string name, DType dtype, std::vector<int64_t> shape, FillFunction fill);

  // Writes to path + ".tmp", syncs, then renames onto path (no partial file
  // is left at path on failure).
  Status WriteFile(const std::string& path, const ProgressFunction& progress = nullptr) const;
  // The whole file in memory (tests, small files).
  StatusOr<std::vector<uint8_t>> WriteToBytes() const;

 private:
  struct PendingTensor {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> data;  // used when fill is empty
    FillFunction fill;
  };
  struct Layout {
    std::vector<uint8_t> header;       // everything before the data section, padded
    std::vector<uint64_t> offsets;     // per tensor, from the data section start
    std::vector<uint64_t> n_bytes;     // per tensor
  };
  // Receives the file's bytes in order.
  using ByteSink = std::function<Status(const uint8_t* bytes, size_t n_bytes)>;

  StatusOr<Layout> Plan() const;
  Status PlanTensor(const PendingTensor& tensor, Layout& layout) const;
  Status EmitData(const Layout& layout, const ByteSink& sink, const ProgressFunction& progress) const;

  size_t alignment_ = kGgufDefaultAlignment;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::map<std::string, size_t> metadata_index_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace fab
