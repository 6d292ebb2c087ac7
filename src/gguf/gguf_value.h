// GgufValue: one GGUF metadata value (a scalar, a string, or an array of
// values, arrays possibly nested). Values are immutable once built; copies
// are cheap (array elements are shared, never copied).
// Thread-safety: a const GgufValue may be read from any number of threads.
// Factories never fail; GgufWriter checks that array elements match their
// declared element type when it encodes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace fab {

// Numbered as in the GGUF file format (the number is what the file stores).
enum class GgufValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

// "uint8", "string", "array", ...; "unknown" for numbers outside the enum.
const char* GgufValueTypeName(GgufValueType type);
// True when `number` names one of the thirteen value types.
bool IsKnownGgufValueType(uint32_t number);

class GgufValue {
 public:
  GgufValue() = default;  // uint8 0; exists so containers can hold values

  static GgufValue Uint8(uint8_t value);
  static GgufValue Int8(int8_t value);
  static GgufValue Uint16(uint16_t value);
  static GgufValue Int16(int16_t value);
  static GgufValue Uint32(uint32_t value);
  static GgufValue Int32(int32_t value);
  static GgufValue Uint64(uint64_t value);
  static GgufValue Int64(int64_t value);
  static GgufValue Float32(float value);
  static GgufValue Float64(double value);
  static GgufValue Bool(bool value);
  static GgufValue String(std::string value);
  // Every element should have type `element_type` (nested arrays: kArray).
  static GgufValue Array(GgufValueType element_type, std::vector<GgufValue> elements);

  GgufValueType type() const { return type_; }
  bool is_integer() const;
  // Any integer type whose value fits int64 (uint64 above 2^63-1: nullopt).
  std::optional<int64_t> AsInt() const;
  // The raw value of an unsigned integer type; nullopt for other types.
  std::optional<uint64_t> AsUint() const;
  // float32/float64, and integers converted to double.
  std::optional<double> AsFloat() const;
  std::optional<bool> AsBool() const;
  const std::string* AsString() const;            // nullptr if not a string
  const std::vector<GgufValue>* AsArray() const;  // nullptr if not an array
  // The declared element type of an array (kUint8 for non-arrays).
  GgufValueType array_element_type() const { return element_type_; }

  // A one-line rendering of at most max_chars bytes (cut at a UTF-8 boundary,
  // ending in "..." when cut) for `model inspect`. Strings are quoted with C
  // escapes; arrays read `[32000 × string] "<unk>", "<s>", ...`.
  std::string ToShortString(size_t max_chars) const;

 private:
  using ArrayPtr = std::shared_ptr<const std::vector<GgufValue>>;
  GgufValueType type_ = GgufValueType::kUint8;
  GgufValueType element_type_ = GgufValueType::kUint8;
  // uint64 for unsigned types and bool, int64 for signed, double for floats.
  std::variant<uint64_t, int64_t, double, std::string, ArrayPtr> payload_ = uint64_t{0};
};

}  // namespace fab
