#include "gguf/gguf_byte_cursor.h"

namespace fab::gguf_internal {

Status GgufByteCursor::Truncated(std::string_view what, uint64_t n_bytes) const {
  return DataLossError(std::string(what) + ": needs " + std::to_string(n_bytes) + " bytes at offset " +
                       std::to_string(offset_) + " but the file ends at " + std::to_string(size_) +
                       " (truncated file)");
}

StatusOr<uint64_t> GgufByteCursor::ReadLittleEndian(std::string_view what, size_t n_bytes) {
  if (remaining() < n_bytes) return Truncated(what, n_bytes);
  uint64_t value = 0;
  for (size_t byte_idx = 0; byte_idx < n_bytes; ++byte_idx) {
    value |= static_cast<uint64_t>(data_[offset_ + byte_idx]) << (8 * byte_idx);
  }
  offset_ += n_bytes;
  return value;
}

StatusOr<uint8_t> GgufByteCursor::ReadU8(std::string_view what) {
  FAB_ASSIGN_OR_RETURN(uint64_t value, ReadLittleEndian(what, 1));
  return static_cast<uint8_t>(value);
}

StatusOr<uint16_t> GgufByteCursor::ReadU16(std::string_view what) {
  FAB_ASSIGN_OR_RETURN(uint64_t value, ReadLittleEndian(what, 2));
  return static_cast<uint16_t>(value);
}

StatusOr<uint32_t> GgufByteCursor::ReadU32(std::string_view what) {
  FAB_ASSIGN_OR_RETURN(uint64_t value, ReadLittleEndian(what, 4));
  return static_cast<uint32_t>(value);
}

StatusOr<uint64_t> GgufByteCursor::ReadU64(std::string_view what) { return ReadLittleEndian(what, 8); }

StatusOr<std::string> GgufByteCursor::ReadString(std::string_view what, uint64_t max_bytes) {
  if (remaining() < 8) return Truncated(std::string(what) + " length", 8);
  FAB_ASSIGN_OR_RETURN(uint64_t length, ReadU64(what));
  if (length > max_bytes) {
    return ResourceExhaustedError(std::string(what) + ": length " + std::to_string(length) +
                                  " at offset " + std::to_string(offset_ - 8) + " exceeds the limit of " +
                                  std::to_string(max_bytes) + " bytes");
  }
  if (length > remaining()) {
    return DataLossError(std::string(what) + ": length " + std::to_string(length) + " at offset " +
                         std::to_string(offset_ - 8) + " runs past end of file (" +
                         std::to_string(remaining()) + " bytes remain)");
  }
  std::string value(reinterpret_cast<const char*>(data_ + offset_), static_cast<size_t>(length));
  offset_ += static_cast<size_t>(length);
  return value;
}

}  // namespace fab::gguf_internal
