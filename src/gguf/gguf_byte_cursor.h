// GgufByteCursor: bounds-checked little-endian reads over a borrowed byte
// range, for the GGUF reader only. Every read first checks the bytes that
// remain and fails with DataLoss naming what was being read and where;
// nothing is read past the end and nothing is allocated before the check.
// Not thread-safe (one cursor per parse); the bytes must outlive the cursor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace fab::gguf_internal {

class GgufByteCursor {
 public:
  GgufByteCursor(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t offset() const { return offset_; }
  size_t remaining() const { return size_ - offset_; }
  size_t size() const { return size_; }

  // `what` names the field in the error ("n_tensors", "value type").
  StatusOr<uint8_t> ReadU8(std::string_view what);
  StatusOr<uint16_t> ReadU16(std::string_view what);
  StatusOr<uint32_t> ReadU32(std::string_view what);
  StatusOr<uint64_t> ReadU64(std::string_view what);
  // A GGUF string: u64 byte length, then that many bytes (no terminator).
  // The length is checked against max_bytes (ResourceExhausted) and the
  // bytes that remain (DataLoss) before the string is built.
  StatusOr<std::string> ReadString(std::string_view what, uint64_t max_bytes);

 private:
  // DataLoss: "<what>: needs N bytes at offset X but the file ends at Y".
  Status Truncated(std::string_view what, uint64_t n_bytes) const;
  // Little-endian unsigned integer of n_bytes (<= 8), after a bounds check.
  StatusOr<uint64_t> ReadLittleEndian(std::string_view what, size_t n_bytes);

  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

}  // namespace fab::gguf_internal
