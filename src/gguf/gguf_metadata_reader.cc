#include "gguf/gguf_metadata_reader.h"

#include <bit>

namespace fab::gguf_internal {
namespace {

std::string At(size_t offset) { return " at offset " + std::to_string(offset); }

class ValueReader {
 public:
  ValueReader(GgufByteCursor& cursor, const GgufLimits& limits) : cursor_(cursor), limits_(limits) {}

  // Reads a value type number and checks that it is one of the known types.
  StatusOr<GgufValueType> ReadType(std::string_view what);
  // Reads one value of `type`; `depth` is how many arrays enclose it.
  StatusOr<GgufValue> ReadValue(GgufValueType type, int depth);

 private:
  StatusOr<GgufValue> ReadArray(int depth);
  StatusOr<GgufValue> ReadBool();

  GgufByteCursor& cursor_;
  const GgufLimits& limits_;
};

StatusOr<GgufValueType> ValueReader::ReadType(std::string_view what) {
  size_t offset = cursor_.offset();
  FAB_ASSIGN_OR_RETURN(uint32_t number, cursor_.ReadU32(what));
  if (!IsKnownGgufValueType(number)) {
    return InvalidArgumentError("unknown " + std::string(what) + " " + std::to_string(number) + At(offset));
  }
  return static_cast<GgufValueType>(number);
}

StatusOr<GgufValue> ValueReader::ReadBool() {
  size_t offset = cursor_.offset();
  FAB_ASSIGN_OR_RETURN(uint8_t byte, cursor_.ReadU8("bool value"));
  if (byte > 1) {
    return InvalidArgumentError("bool value " + std::to_string(byte) + At(offset) + " is not 0 or 1");
  }
  return GgufValue::Bool(byte == 1);
}

StatusOr<GgufValue> ValueReader::ReadValue(GgufValueType type, int depth) {
  switch (type) {
    case GgufValueType::kUint8: {
      FAB_ASSIGN_OR_RETURN(uint8_t v, cursor_.ReadU8("uint8 value"));
      return GgufValue::Uint8(v);
    }
    case GgufValueType::kInt8: {
      FAB_ASSIGN_OR_RETURN(uint8_t v, cursor_.ReadU8("int8 value"));
      return GgufValue::Int8(static_cast<int8_t>(v));
    }
    case GgufValueType::kUint16: {
      FAB_ASSIGN_OR_RETURN(uint16_t v, cursor_.ReadU16("uint16 value"));
      return GgufValue::Uint16(v);
    }
    case GgufValueType::kInt16: {
      FAB_ASSIGN_OR_RETURN(uint16_t v, cursor_.ReadU16("int16 value"));
      return GgufValue::Int16(static_cast<int16_t>(v));
    }
    case GgufValueType::kUint32: {
      FAB_ASSIGN_OR_RETURN(uint32_t v, cursor_.ReadU32("uint32 value"));
      return GgufValue::Uint32(v);
    }
    case GgufValueType::kInt32: {
      FAB_ASSIGN_OR_RETURN(uint32_t v, cursor_.ReadU32("int32 value"));
      return GgufValue::Int32(static_cast<int32_t>(v));
    }
    case GgufValueType::kFloat32: {
      FAB_ASSIGN_OR_RETURN(uint32_t bits, cursor_.ReadU32("float32 value"));
      return GgufValue::Float32(std::bit_cast<float>(bits));
    }
    case GgufValueType::kBool: return ReadBool();
    case GgufValueType::kString: {
      FAB_ASSIGN_OR_RETURN(std::string v, cursor_.ReadString("string", limits_.max_string_bytes));
      return GgufValue::String(std::move(v));
    }
    case GgufValueType::kArray: return ReadArray(depth + 1);
    case GgufValueType::kUint64: {
      FAB_ASSIGN_OR_RETURN(uint64_t v, cursor_.ReadU64("uint64 value"));
      return GgufValue::Uint64(v);
    }
    case GgufValueType::kInt64: {
      FAB_ASSIGN_OR_RETURN(uint64_t v, cursor_.ReadU64("int64 value"));
      return GgufValue::Int64(static_cast<int64_t>(v));
    }
    case GgufValueType::kFloat64: {
      FAB_ASSIGN_OR_RETURN(uint64_t bits, cursor_.ReadU64("float64 value"));
      return GgufValue::Float64(std::bit_cast<double>(bits));
    }
  }
  return InternalError("unhandled GGUF value type");  // ReadType admits only known types
}

StatusOr<GgufValue> ValueReader::ReadArray(int depth) {
  size_t offset = cursor_.offset();
  if (depth > limits_.max_array_depth) {
    return InvalidArgumentError("arrays nested " + std::to_string(depth) + " deep" + At(offset) +
                                " exceed the limit of " + std::to_string(limits_.max_array_depth));
  }
  FAB_ASSIGN_OR_RETURN(GgufValueType element_type, ReadType("array element type"));
  FAB_ASSIGN_OR_RETURN(uint64_t count, cursor_.ReadU64("array count"));
  auto description = [&] { return "array of " + std::to_string(count) + " " + GgufValueTypeName(element_type); };
  if (count > limits_.max_array_elements) {
    return ResourceExhaustedError(description() + At(offset) + " exceeds the limit of " +
                                  std::to_string(limits_.max_array_elements) + " elements");
  }
  uint64_t min_bytes = count * MinEncodedBytes(element_type);  // both capped: no overflow
  if (min_bytes > cursor_.remaining()) {
    return DataLossError(description() + At(offset) + " needs at least " + std::to_string(min_bytes) +
                         " bytes but only " + std::to_string(cursor_.remaining()) +
                         " remain (truncated file)");
  }
  std::vector<GgufValue> elements;
  elements.reserve(static_cast<size_t>(count));
  for (uint64_t element_idx = 0; element_idx < count; ++element_idx) {
    StatusOr<GgufValue> element = ReadValue(element_type, depth);
    if (!element.ok()) return element.status().WithContext("array element " + std::to_string(element_idx));
    elements.push_back(std::move(element).value());
  }
  return GgufValue::Array(element_type, std::move(elements));
}

StatusOr<std::string> ReadKey(GgufByteCursor& cursor, const GgufLimits& limits) {
  size_t offset = cursor.offset();
  FAB_ASSIGN_OR_RETURN(std::string key, cursor.ReadString("key", limits.max_key_bytes));
  if (key.empty()) return InvalidArgumentError("empty key" + At(offset));
  if (!IsValidUtf8(key)) return InvalidArgumentError("key" + At(offset) + " is not valid UTF-8");
  return key;
}

}  // namespace

uint64_t MinEncodedBytes(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
    case GgufValueType::kBool:
      return 1;
    case GgufValueType::kUint16:
    case GgufValueType::kInt16:
      return 2;
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
    case GgufValueType::kFloat32:
      return 4;
    case GgufValueType::kString:  // u64 length
    case GgufValueType::kUint64:
    case GgufValueType::kInt64:
    case GgufValueType::kFloat64:
      return 8;
    case GgufValueType::kArray:  // u32 element type + u64 count
      return 12;
  }
  return 1;
}

StatusOr<GgufMetadata> ReadGgufMetadata(GgufByteCursor& cursor, uint64_t n_kv, const GgufLimits& limits) {
  GgufMetadata metadata;
  metadata.entries.reserve(static_cast<size_t>(n_kv));
  ValueReader reader(cursor, limits);
  for (uint64_t entry_idx = 0; entry_idx < n_kv; ++entry_idx) {
    StatusOr<std::string> key = ReadKey(cursor, limits);
    if (!key.ok()) return key.status().WithContext("metadata entry " + std::to_string(entry_idx));
    auto context = [&] { return "metadata '" + *key + "'"; };
    if (metadata.index.count(*key) != 0) {
      return InvalidArgumentError("duplicate metadata key '" + *key + "'");
    }
    StatusOr<GgufValueType> type = reader.ReadType("value type");
    if (!type.ok()) return type.status().WithContext(context());
    StatusOr<GgufValue> value = reader.ReadValue(*type, 0);
    if (!value.ok()) return value.status().WithContext(context());
    metadata.index.emplace(*key, metadata.entries.size());
    metadata.entries.emplace_back(std::move(key).value(), std::move(value).value());
  }
  return metadata;
}

bool IsValidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    unsigned char lead = static_cast<unsigned char>(text[pos]);
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || pos + length > text.size()) return false;
    uint32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t byte_idx = 1; byte_idx < length; ++byte_idx) {
      unsigned char next = static_cast<unsigned char>(text[pos + byte_idx]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    pos += length;
  }
  return true;
}

}  // namespace fab::gguf_internal
