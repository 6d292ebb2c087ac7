// MappedFile: a read-only memory map of a whole file. Weights are used in
// place from the map (no copy). Move-only; unmaps on destruction.
// Thread-safety: the mapped bytes are immutable, safe to read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace fab {

class MappedFile {
 public:
  // NotFound when the file cannot be opened, InvalidArgument when it is not a
  // regular file. An empty file maps to size 0 and data nullptr.
  static StatusOr<MappedFile> Open(const std::string& path);

  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Hint that the whole file will be read soon (MADV_WILLNEED).
  void AdviseWillNeed() const;

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

}  // namespace fab
