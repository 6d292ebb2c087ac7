#include "gguf/gguf_encoder.h"

#include <bit>
#include <string>

namespace fab::gguf_internal {
namespace {

// The two's-complement bits of an integer value of any width.
uint64_t IntegerBits(const GgufValue& value) {
  if (std::optional<uint64_t> unsigned_value = value.AsUint()) return *unsigned_value;
  return static_cast<uint64_t>(value.AsInt().value_or(0));
}

}  // namespace

void GgufEncoder::PutLittleEndian(uint64_t value, size_t n_bytes) {
  for (size_t byte_idx = 0; byte_idx < n_bytes; ++byte_idx) {
    out_.push_back(static_cast<uint8_t>(value >> (8 * byte_idx)));
  }
}

void GgufEncoder::PutString(std::string_view text) {
  PutU64(text.size());
  out_.insert(out_.end(), text.begin(), text.end());
}

void GgufEncoder::PadTo(size_t alignment) {
  while (out_.size() % alignment != 0) out_.push_back(0);
}

Status GgufEncoder::PutValue(const GgufValue& value) {
  switch (value.type()) {
    case GgufValueType::kBool:
      PutU8(*value.AsBool() ? 1 : 0);
      return OkStatus();
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
      PutU8(static_cast<uint8_t>(IntegerBits(value)));
      return OkStatus();
    case GgufValueType::kUint16:
    case GgufValueType::kInt16:
      PutU16(static_cast<uint16_t>(IntegerBits(value)));
      return OkStatus();
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
      PutU32(static_cast<uint32_t>(IntegerBits(value)));
      return OkStatus();
    case GgufValueType::kUint64:
    case GgufValueType::kInt64:
      PutU64(IntegerBits(value));
      return OkStatus();
    case GgufValueType::kFloat32:
      PutU32(std::bit_cast<uint32_t>(static_cast<float>(*value.AsFloat())));
      return OkStatus();
    case GgufValueType::kFloat64:
      PutU64(std::bit_cast<uint64_t>(*value.AsFloat()));
      return OkStatus();
    case GgufValueType::kString:
      PutString(*value.AsString());
      return OkStatus();
    case GgufValueType::kArray:
      break;
  }
  const std::vector<GgufValue>& elements = *value.AsArray();
  PutU32(static_cast<uint32_t>(value.array_element_type()));
  PutU64(elements.size());
  for (size_t element_idx = 0; element_idx < elements.size(); ++element_idx) {
    const GgufValue& element = elements[element_idx];
    if (element.type() != value.array_element_type()) {
      return InvalidArgumentError("array element " + std::to_string(element_idx) + " is " +
                                  GgufValueTypeName(element.type()) + " in an array of " +
                                  GgufValueTypeName(value.array_element_type()));
    }
    FAB_RETURN_IF_ERROR(PutValue(element));
  }
  return OkStatus();
}

}  // namespace fab::gguf_internal
