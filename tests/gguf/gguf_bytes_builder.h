// GgufBytesBuilder: writes GGUF bytes field by field (little-endian), with no
// validation at all, so a test can build a file with one precise corruption.
// Test-only. Chainable: GgufBytesBuilder().Header(3, 0, 1).KeyU32("k", 7).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace fab::testing {

class GgufBytesBuilder {
 public:
  static constexpr uint32_t kTypeUint8 = 0, kTypeInt32 = 5, kTypeUint32 = 4, kTypeFloat32 = 6, kTypeBool = 7,
                            kTypeString = 8, kTypeArray = 9, kTypeUint64 = 10;

  GgufBytesBuilder& U8(uint8_t value) { return LittleEndian(value, 1); }
  GgufBytesBuilder& U16(uint16_t value) { return LittleEndian(value, 2); }
  GgufBytesBuilder& U32(uint32_t value) { return LittleEndian(value, 4); }
  GgufBytesBuilder& U64(uint64_t value) { return LittleEndian(value, 8); }
  GgufBytesBuilder& F32(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    return U32(bits);
  }
  GgufBytesBuilder& Raw(std::string_view text) {
    bytes_.insert(bytes_.end(), text.begin(), text.end());
    return *this;
  }
  // u64 length + bytes.
  GgufBytesBuilder& Str(std::string_view text) { return U64(text.size()).Raw(text); }
  GgufBytesBuilder& Zeros(size_t n_bytes) {
    bytes_.insert(bytes_.end(), n_bytes, 0);
    return *this;
  }
  GgufBytesBuilder& PadTo(size_t alignment) { return Zeros((alignment - bytes_.size() % alignment) % alignment); }

  // Magic "GGUF", version, n_tensors, n_kv.
  GgufBytesBuilder& Header(uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
    return Raw("GGUF").U32(version).U64(n_tensors).U64(n_kv);
  }
  GgufBytesBuilder& KeyU32(std::string_view key, uint32_t value) { return Str(key).U32(kTypeUint32).U32(value); }
  GgufBytesBuilder& KeyString(std::string_view key, std::string_view value) {
    return Str(key).U32(kTypeString).Str(value);
  }
  // One tensor directory entry: name, n_dims, dims, dtype, offset.
  GgufBytesBuilder& Tensor(std::string_view name, const std::vector<uint64_t>& dims, uint32_t dtype,
                           uint64_t offset) {
    Str(name).U32(static_cast<uint32_t>(dims.size()));
    for (uint64_t dim : dims) U64(dim);
    return U32(dtype).U64(offset);
  }

  size_t size() const { return bytes_.size(); }
  const uint8_t* data() const { return bytes_.data(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  GgufBytesBuilder& LittleEndian(uint64_t value, size_t n_bytes) {
    for (size_t byte_idx = 0; byte_idx < n_bytes; ++byte_idx) {
      bytes_.push_back(static_cast<uint8_t>(value >> (8 * byte_idx)));
    }
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

}  // namespace fab::testing
