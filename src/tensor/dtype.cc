#include "tensor/dtype.h"

#include <array>
#include <cctype>
#include <limits>
#include <string>

namespace fab {
namespace {

constexpr DTypeInfo kInfos[] = {
    {DType::kF32, "f32", 1, 4, true},
    {DType::kF16, "f16", 1, 2, true},
    {DType::kQ4_0, "q4_0", 32, 18, true},
    {DType::kQ4_1, "q4_1", 32, 20, true},
    {DType::kQ5_0, "q5_0", 32, 22, true},
    {DType::kQ5_1, "q5_1", 32, 24, false},
    {DType::kQ8_0, "q8_0", 32, 34, true},
    {DType::kQ8_1, "q8_1", 32, 36, false},
    {DType::kQ2_K, "q2_k", 256, 84, false},
    {DType::kQ3_K, "q3_k", 256, 110, false},
    {DType::kQ4_K, "q4_k", 256, 144, true},
    {DType::kQ5_K, "q5_k", 256, 176, true},
    {DType::kQ6_K, "q6_k", 256, 210, true},
    {DType::kQ8_K, "q8_k", 256, 292, false},
    {DType::kI8, "i8", 1, 1, false},
    {DType::kI16, "i16", 1, 2, false},
    {DType::kI32, "i32", 1, 4, false},
    {DType::kI64, "i64", 1, 8, false},
    {DType::kF64, "f64", 1, 8, false},
    {DType::kBF16, "bf16", 1, 2, true},
    // 16-row panels of q4_0 / q8_0 blocks and q4_K / q5_K / q6_K super-blocks:
    // same bytes per row, so a panel of 16 rows is 16 row_bytes and
    // TensorView::row(16 * p) addresses panel p.
    {DType::kQ4_0x16, "q4_0x16", 32, 18, true, false},
    {DType::kQ8_0x16, "q8_0x16", 32, 34, true, false},
    {DType::kQ4_Kx16, "q4_kx16", 256, 144, true, false},
    {DType::kQ5_Kx16, "q5_kx16", 256, 176, true, false},
    {DType::kQ6_Kx16, "q6_kx16", 256, 210, true, false},
};

}  // namespace

std::optional<DTypeInfo> LookupDType(uint32_t ggml_type) {
  for (const DTypeInfo& info : kInfos) {
    if (info.in_files && static_cast<uint32_t>(info.dtype) == ggml_type) return info;
  }
  return std::nullopt;
}

const DTypeInfo& GetDTypeInfo(DType dtype) {
  for (const DTypeInfo& info : kInfos) {
    if (info.dtype == dtype) return info;
  }
  FAB_CHECK(false) << "DType without info: " << static_cast<uint32_t>(dtype);
  return kInfos[0];
}

std::optional<DType> ParseDTypeName(std::string_view name) {
  std::string lower;
  for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const DTypeInfo& info : kInfos) {
    if (info.in_files && lower == info.name) return info.dtype;
  }
  return std::nullopt;
}

StatusOr<int64_t> RowBytes(DType dtype, int64_t n_elements) {
  const DTypeInfo& info = GetDTypeInfo(dtype);
  if (n_elements < 0) return InvalidArgumentError("negative element count");
  if (n_elements % info.block_size != 0) {
    return InvalidArgumentError("row of " + std::to_string(n_elements) + " elements is not a multiple of the " +
                                info.name + " block size " + std::to_string(info.block_size));
  }
  int64_t n_blocks = n_elements / info.block_size;
  if (n_blocks > std::numeric_limits<int64_t>::max() / info.type_size) {
    return OutOfRangeError("row size overflows");
  }
  return n_blocks * info.type_size;
}

}  // namespace fab
