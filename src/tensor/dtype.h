// Element types of weights and activations, numbered as in GGUF/ggml so the
// numbers in a file map to them directly, with each type's block geometry.
// A quantized type stores `block_size` elements in `type_size` bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/status.h"

namespace fab {

enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kBF16 = 30,
  // Internal repacked layouts (kernels/packed_weights.h): made in memory at
  // load time, never read from or written to a file. Numbers outside ggml's.
  kQ4_0x16 = 1002,
  kQ8_0x16 = 1008,
  kQ4_Kx16 = 1012,
  kQ5_Kx16 = 1013,
  kQ6_Kx16 = 1014,
};

struct DTypeInfo {
  DType dtype;
  const char* name;     // "q4_0", as llama.cpp spells it
  int64_t block_size;   // elements per block (1 for plain types)
  int64_t type_size;    // bytes per block
  bool computable;      // true when tokenfab has kernels for it
  bool in_files = true; // false for internal layouts (no GGUF number, no name to parse)
};

// The info of a GGUF type number, or nullopt when the number is unknown
// (including ggml's removed types 4 and 5 and tokenfab's internal layouts).
std::optional<DTypeInfo> LookupDType(uint32_t ggml_type);
const DTypeInfo& GetDTypeInfo(DType dtype);
inline const char* DTypeName(DType dtype) { return GetDTypeInfo(dtype).name; }
// Parses "q4_0", "Q8_0", "f16", "bf16", ... (case-insensitive); internal
// layouts are not parsed.
std::optional<DType> ParseDTypeName(std::string_view name);

// Bytes of a row of n elements; an error when n is not a whole number of
// blocks or the size overflows.
StatusOr<int64_t> RowBytes(DType dtype, int64_t n_elements);

}  // namespace fab
