// GgufFile: a validated, read-only GGUF model file (versions 2 and 3,
// little-endian; the byte format is specified at the top of gguf_file.cc).
// Open() maps the file and uses tensor data in place (no copy); Parse() reads
// a caller's buffer, which must outlive the GgufFile. Any malformed input
// gives a Status naming the problem, never a crash or an unbounded allocation.
// Move-only; immutable after construction, so safe to read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "gguf/gguf_limits.h"
#include "gguf/gguf_tensor_info.h"
#include "gguf/gguf_value.h"
#include "platform/mapped_file.h"

namespace fab {

class GgufFile {
 public:
  // Errors are prefixed with the path. NotFound when the file cannot be opened.
  static StatusOr<GgufFile> Open(const std::string& path, const GgufLimits& limits = {});
  // Borrows data[0, size): tensor views point into it.
  static StatusOr<GgufFile> Parse(const uint8_t* data, size_t size, const GgufLimits& limits = {});

  GgufFile(GgufFile&&) noexcept = default;
  GgufFile& operator=(GgufFile&&) noexcept = default;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  uint32_t version() const { return version_; }
  size_t alignment() const { return alignment_; }
  // Start of the tensor data section: the end of the header rounded up to the
  // alignment, or size() for a file that has no tensor bytes and ends sooner.
  size_t data_offset() const { return data_offset_; }
  size_t size() const { return size_; }
  const uint8_t* data() const { return data_; }  // the whole file

  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return metadata_; }
  const GgufValue* Find(std::string_view key) const;  // O(log n); nullptr when absent
  // NotFound when the key is absent; InvalidArgument naming the key and its
  // type when the value has another type (or an integer does not fit int64).
  StatusOr<int64_t> GetInt(std::string_view key) const;
  StatusOr<double> GetFloat(std::string_view key) const;  // float32/float64 or any integer
  StatusOr<std::string> GetString(std::string_view key) const;
  StatusOr<bool> GetBool(std::string_view key) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }  // file order
  const GgufTensorInfo* FindTensor(std::string_view name) const;  // O(log n); nullptr when absent

 private:
  GgufFile() = default;
  Status ParseBytes(const GgufLimits& limits);
  StatusOr<const GgufValue*> FindForGet(std::string_view key) const;

  MappedFile mapped_;  // empty when the bytes are borrowed (Parse)
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  uint32_t version_ = 0;
  size_t alignment_ = kGgufDefaultAlignment;
  size_t data_offset_ = 0;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::map<std::string, size_t, std::less<>> metadata_index_;
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

}  // namespace fab
