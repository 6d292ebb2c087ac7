// GgufEncoder: appends GGUF fields (little-endian integers, strings, typed
// metadata values) to a byte vector, for GgufWriter. Encoding a value checks
// that array elements match their declared element type (InvalidArgument).
// Not thread-safe; the vector is borrowed.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gguf/gguf_value.h"

namespace fab::gguf_internal {

class GgufEncoder {
 public:
  explicit GgufEncoder(std::vector<uint8_t>& out) : out_(out) {}

  void PutU8(uint8_t value) { PutLittleEndian(value, 1); }
  void PutU16(uint16_t value) { PutLittleEndian(value, 2); }
  void PutU32(uint32_t value) { PutLittleEndian(value, 4); }
  void PutU64(uint64_t value) { PutLittleEndian(value, 8); }
  void PutString(std::string_view text);  // u64 length, then the bytes
  void PadTo(size_t alignment);           // zero bytes up to a multiple of alignment
  // The value's payload (no type tag); arrays include element type and count.
  Status PutValue(const GgufValue& value);

 private:
  void PutLittleEndian(uint64_t value, size_t n_bytes);
  std::vector<uint8_t>& out_;
};

}  // namespace fab::gguf_internal
