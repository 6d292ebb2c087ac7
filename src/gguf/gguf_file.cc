// The GGUF reader. The format (versions 2 and 3; all integers little-endian,
// no padding between fields unless stated):
//
//   header:
//     u32 magic      = "GGUF" (bytes 47 47 55 46)
//     u32 version    = 2 or 3 (1 used 32-bit counts and lengths: rejected;
//                      v3 only added big-endian files, which we reject)
//     u64 n_tensors
//     u64 n_kv
//   n_kv metadata entries, each:
//     string key     (u64 byte length, then the bytes; no terminator)
//     u32 value_type (GgufValueType: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32,
//                     6 f32, 7 bool, 8 string, 9 array, 10 u64, 11 i64, 12 f64)
//     value          scalars at their natural width; bool is one byte 0 or 1;
//                    string as above; array = u32 element_type, u64 count,
//                    then count values of element_type (an element that is
//                    itself an array carries its own element_type and count)
//   n_tensors tensor entries, each:
//     string name
//     u32 n_dims     (1..4)
//     u64 ne[n_dims] (ne[0] is the contiguous row length)
//     u32 dtype      (ggml type number, see tensor/dtype.h)
//     u64 offset     (from the start of the data section; a multiple of the alignment)
//   zero padding up to the next multiple of the alignment (general.alignment,
//   any integer type in our reader, default 32), then the data section:
//     each tensor's rows of dtype blocks, ne[1]*ne[2]*ne[3] rows of
//     ne[0]/block_size blocks, at its offset.
//
// What we check beyond the format: counts against GgufLimits and against the
// bytes that remain, unique keys and tensor names, non-empty UTF-8 keys, ne[0]
// a whole number of blocks, element and byte counts that fit int64, tensor
// data inside the file and no two tensors sharing a byte.
#include "gguf/gguf_file.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "gguf/gguf_byte_cursor.h"
#include "gguf/gguf_metadata_reader.h"
#include "gguf/gguf_tensor_directory.h"

namespace fab {
namespace {

using gguf_internal::GgufByteCursor;

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian u32

Status CheckVersion(uint32_t version) {
  if (version == 2 || version == 3) return OkStatus();
  uint32_t swapped = __builtin_bswap32(version);
  if (swapped == 2 || swapped == 3) {
    return UnimplementedError("big-endian GGUF files are not supported (version field reads " +
                              std::to_string(version) + ")");
  }
  return UnimplementedError("GGUF version " + std::to_string(version) + " is not supported (only versions 2 and 3)");
}

struct Header {
  uint32_t version = 0;
  uint64_t n_tensors = 0;
  uint64_t n_kv = 0;
};

StatusOr<Header> ReadHeader(GgufByteCursor& cursor, const GgufLimits& limits) {
  if (cursor.size() == 0) return DataLossError("empty file (0 bytes): not a GGUF file");
  FAB_ASSIGN_OR_RETURN(uint32_t magic, cursor.ReadU32("magic"));
  if (magic != kGgufMagic) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%08x", magic);
    return InvalidArgumentError(std::string("bad magic ") + hex + ": not a GGUF file");
  }
  Header header;
  FAB_ASSIGN_OR_RETURN(header.version, cursor.ReadU32("version"));
  FAB_RETURN_IF_ERROR(CheckVersion(header.version));
  FAB_ASSIGN_OR_RETURN(header.n_tensors, cursor.ReadU64("n_tensors"));
  FAB_ASSIGN_OR_RETURN(header.n_kv, cursor.ReadU64("n_kv"));
  if (header.n_tensors > limits.max_tensors) {
    return ResourceExhaustedError("n_tensors " + std::to_string(header.n_tensors) + " exceeds the limit of " +
                                  std::to_string(limits.max_tensors));
  }
  if (header.n_kv > limits.max_kv) {
    return ResourceExhaustedError("n_kv " + std::to_string(header.n_kv) + " exceeds the limit of " +
                                  std::to_string(limits.max_kv));
  }
  uint64_t min_bytes = header.n_kv * gguf_internal::kMinMetadataEntryBytes +
                       header.n_tensors * gguf_internal::kMinTensorEntryBytes;  // capped: no overflow
  if (min_bytes > cursor.remaining()) {
    return DataLossError("header declares " + std::to_string(header.n_kv) + " metadata entries (n_kv) and " +
                         std::to_string(header.n_tensors) + " tensors (n_tensors), which need at least " +
                         std::to_string(min_bytes) + " bytes, but only " + std::to_string(cursor.remaining()) +
                         " remain (truncated file)");
  }
  return header;
}

StatusOr<size_t> AlignmentOf(const gguf_internal::GgufMetadata& metadata, const GgufLimits& limits) {
  auto found = metadata.index.find("general.alignment");
  if (found == metadata.index.end()) return kGgufDefaultAlignment;
  const GgufValue& value = metadata.entries[found->second].second;
  std::optional<uint64_t> alignment = value.AsUint();
  if (!alignment.has_value()) {
    std::optional<int64_t> signed_alignment = value.AsInt();
    if (!signed_alignment.has_value() || *signed_alignment < 0) {
      return InvalidArgumentError(std::string("general.alignment must be a positive integer, not ") +
                                  GgufValueTypeName(value.type()) + " " + value.ToShortString(32));
    }
    alignment = static_cast<uint64_t>(*signed_alignment);
  }
  FAB_RETURN_IF_ERROR(CheckGgufAlignment(*alignment, limits.max_alignment));
  return static_cast<size_t>(*alignment);
}

}  // namespace

StatusOr<GgufFile> GgufFile::Open(const std::string& path, const GgufLimits& limits) {
  GgufFile file;
  FAB_ASSIGN_OR_RETURN(file.mapped_, MappedFile::Open(path));
  file.data_ = file.mapped_.data();
  file.size_ = file.mapped_.size();
  Status status = file.ParseBytes(limits);
  if (!status.ok()) return status.WithContext(path);
  return file;
}

StatusOr<GgufFile> GgufFile::Parse(const uint8_t* data, size_t size, const GgufLimits& limits) {
  GgufFile file;
  file.data_ = data;
  file.size_ = data == nullptr ? 0 : size;
  FAB_RETURN_IF_ERROR(file.ParseBytes(limits));
  return file;
}

Status GgufFile::ParseBytes(const GgufLimits& limits) {
  GgufByteCursor cursor(data_, size_);
  FAB_ASSIGN_OR_RETURN(Header header, ReadHeader(cursor, limits));
  version_ = header.version;
  FAB_ASSIGN_OR_RETURN(gguf_internal::GgufMetadata metadata,
                       gguf_internal::ReadGgufMetadata(cursor, header.n_kv, limits));
  FAB_ASSIGN_OR_RETURN(alignment_, AlignmentOf(metadata, limits));
  FAB_ASSIGN_OR_RETURN(gguf_internal::GgufTensorDirectory directory,
                       gguf_internal::ReadGgufTensorDirectory(cursor, header.n_tensors, alignment_, limits));
  // cursor.offset() <= size_ and alignment_ <= 2^20: no overflow.
  size_t aligned_end = (cursor.offset() + alignment_ - 1) / alignment_ * alignment_;
  data_offset_ = std::min(aligned_end, size_);
  FAB_RETURN_IF_ERROR(gguf_internal::PlaceGgufTensors(directory.tensors, data_, size_, aligned_end));
  metadata_ = std::move(metadata.entries);
  metadata_index_ = std::move(metadata.index);
  tensors_ = std::move(directory.tensors);
  tensor_index_ = std::move(directory.index);
  return OkStatus();
}

const GgufValue* GgufFile::Find(std::string_view key) const {
  auto found = metadata_index_.find(key);
  return found == metadata_index_.end() ? nullptr : &metadata_[found->second].second;
}

const GgufTensorInfo* GgufFile::FindTensor(std::string_view name) const {
  auto found = tensor_index_.find(name);
  return found == tensor_index_.end() ? nullptr : &tensors_[found->second];
}

StatusOr<const GgufValue*> GgufFile::FindForGet(std::string_view key) const {
  const GgufValue* value = Find(key);
  if (value == nullptr) return NotFoundError("metadata key '" + std::string(key) + "' not found");
  return value;
}

namespace {

Status WrongType(std::string_view key, const GgufValue& value, const char* wanted) {
  return InvalidArgumentError("metadata key '" + std::string(key) + "' is " + GgufValueTypeName(value.type()) +
                              " " + value.ToShortString(48) + ", not " + wanted);
}

}  // namespace

StatusOr<int64_t> GgufFile::GetInt(std::string_view key) const {
  FAB_ASSIGN_OR_RETURN(const GgufValue* value, FindForGet(key));
  std::optional<int64_t> result = value->AsInt();
  if (!result.has_value()) return WrongType(key, *value, "an integer that fits int64");
  return *result;
}

StatusOr<double> GgufFile::GetFloat(std::string_view key) const {
  FAB_ASSIGN_OR_RETURN(const GgufValue* value, FindForGet(key));
  std::optional<double> result = value->AsFloat();
  if (!result.has_value()) return WrongType(key, *value, "a number");
  return *result;
}

StatusOr<std::string> GgufFile::GetString(std::string_view key) const {
  FAB_ASSIGN_OR_RETURN(const GgufValue* value, FindForGet(key));
  const std::string* result = value->AsString();
  if (result == nullptr) return WrongType(key, *value, "a string");
  return *result;
}

StatusOr<bool> GgufFile::GetBool(std::string_view key) const {
  FAB_ASSIGN_OR_RETURN(const GgufValue* value, FindForGet(key));
  std::optional<bool> result = value->AsBool();
  if (!result.has_value()) return WrongType(key, *value, "a bool");
  return *result;
}

}  // namespace fab
