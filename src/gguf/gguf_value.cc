#include "gguf/gguf_value.h"

#include <limits>
#include <utility>

namespace fab {

const char* GgufValueTypeName(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8: return "uint8";
    case GgufValueType::kInt8: return "int8";
    case GgufValueType::kUint16: return "uint16";
    case GgufValueType::kInt16: return "int16";
    case GgufValueType::kUint32: return "uint32";
    case GgufValueType::kInt32: return "int32";
    case GgufValueType::kFloat32: return "float32";
    case GgufValueType::kBool: return "bool";
    case GgufValueType::kString: return "string";
    case GgufValueType::kArray: return "array";
    case GgufValueType::kUint64: return "uint64";
    case GgufValueType::kInt64: return "int64";
    case GgufValueType::kFloat64: return "float64";
  }
  return "unknown";
}

bool IsKnownGgufValueType(uint32_t number) {
  return number <= static_cast<uint32_t>(GgufValueType::kFloat64);
}

GgufValue GgufValue::Uint8(uint8_t value) {
  GgufValue v;
  v.type_ = GgufValueType::kUint8;
  v.payload_ = uint64_t{value};
  return v;
}

GgufValue GgufValue::Int8(int8_t value) {
  GgufValue v;
  v.type_ = GgufValueType::kInt8;
  v.payload_ = int64_t{value};
  return v;
}

GgufValue GgufValue::Uint16(uint16_t value) {
  GgufValue v;
  v.type_ = GgufValueType::kUint16;
  v.payload_ = uint64_t{value};
  return v;
}

GgufValue GgufValue::Int16(int16_t value) {
  GgufValue v;
  v.type_ = GgufValueType::kInt16;
  v.payload_ = int64_t{value};
  return v;
}

GgufValue GgufValue::Uint32(uint32_t value) {
  GgufValue v;
  v.type_ = GgufValueType::kUint32;
  v.payload_ = uint64_t{value};
  return v;
}

GgufValue GgufValue::Int32(int32_t value) {
  GgufValue v;
  v.type_ = GgufValueType::kInt32;
  v.payload_ = int64_t{value};
  return v;
}

GgufValue GgufValue::Uint64(uint64_t value) {
  GgufValue v;
  v.type_ = GgufValueType::kUint64;
  v.payload_ = value;
  return v;
}

GgufValue GgufValue::Int64(int64_t value) {
  GgufValue v;
  v.type_ = GgufValueType::kInt64;
  v.payload_ = value;
  return v;
}

GgufValue GgufValue::Float32(float value) {
  GgufValue v;
  v.type_ = GgufValueType::kFloat32;
  v.payload_ = static_cast<double>(value);  // exact: every float is a double
  return v;
}

GgufValue GgufValue::Float64(double value) {
  GgufValue v;
  v.type_ = GgufValueType::kFloat64;
  v.payload_ = value;
  return v;
}

GgufValue GgufValue::Bool(bool value) {
  GgufValue v;
  v.type_ = GgufValueType::kBool;
  v.payload_ = uint64_t{value ? 1u : 0u};
  return v;
}

GgufValue GgufValue::String(std::string value) {
  GgufValue v;
  v.type_ = GgufValueType::kString;
  v.payload_ = std::move(value);
  return v;
}

GgufValue GgufValue::Array(GgufValueType element_type, std::vector<GgufValue> elements) {
  GgufValue v;
  v.type_ = GgufValueType::kArray;
  v.element_type_ = element_type;
  v.payload_ = std::make_shared<const std::vector<GgufValue>>(std::move(elements));
  return v;
}

bool GgufValue::is_integer() const {
  switch (type_) {
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
    case GgufValueType::kUint16:
    case GgufValueType::kInt16:
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
    case GgufValueType::kUint64:
    case GgufValueType::kInt64:
      return true;
    default:
      return false;
  }
}

std::optional<int64_t> GgufValue::AsInt() const {
  if (!is_integer()) return std::nullopt;
  if (const int64_t* value = std::get_if<int64_t>(&payload_)) return *value;
  uint64_t value = std::get<uint64_t>(payload_);
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<uint64_t> GgufValue::AsUint() const {
  if (!is_integer()) return std::nullopt;
  if (const uint64_t* value = std::get_if<uint64_t>(&payload_)) return *value;
  return std::nullopt;
}

std::optional<double> GgufValue::AsFloat() const {
  if (const double* value = std::get_if<double>(&payload_)) return *value;
  if (!is_integer()) return std::nullopt;
  if (const int64_t* value = std::get_if<int64_t>(&payload_)) return static_cast<double>(*value);
  return static_cast<double>(std::get<uint64_t>(payload_));
}

std::optional<bool> GgufValue::AsBool() const {
  if (type_ != GgufValueType::kBool) return std::nullopt;
  return std::get<uint64_t>(payload_) != 0;
}

const std::string* GgufValue::AsString() const { return std::get_if<std::string>(&payload_); }

const std::vector<GgufValue>* GgufValue::AsArray() const {
  const ArrayPtr* array = std::get_if<ArrayPtr>(&payload_);
  return array == nullptr ? nullptr : array->get();
}

}  // namespace fab
