#include "gguf/gguf_tensor_directory.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace fab::gguf_internal {
namespace {

constexpr uint64_t kInt64Max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::string ShapeText(const GgufTensorInfo& info) {
  std::string text = "[";
  for (int dim_idx = 0; dim_idx < info.n_dims; ++dim_idx) {
    if (dim_idx > 0) text += ", ";
    text += std::to_string(info.ne[dim_idx]);
  }
  return text + "]";
}

Status ReadShape(GgufByteCursor& cursor, GgufTensorInfo& info) {
  size_t offset = cursor.offset();
  FAB_ASSIGN_OR_RETURN(uint32_t n_dims, cursor.ReadU32("n_dims"));
  if (n_dims < 1 || n_dims > static_cast<uint32_t>(kGgufMaxDims)) {
    return InvalidArgumentError("n_dims " + std::to_string(n_dims) + " at offset " + std::to_string(offset) +
                                " is not in [1, " + std::to_string(kGgufMaxDims) + "]");
  }
  info.n_dims = static_cast<int>(n_dims);
  for (int dim_idx = 0; dim_idx < info.n_dims; ++dim_idx) {
    FAB_ASSIGN_OR_RETURN(uint64_t dim, cursor.ReadU64("dimension"));
    if (dim > kInt64Max) {
      return InvalidArgumentError("dimension " + std::to_string(dim_idx) + " is negative (" +
                                  std::to_string(static_cast<int64_t>(dim)) + ")");
    }
    info.ne[dim_idx] = static_cast<int64_t>(dim);
  }
  // Both products TensorView computes must fit: with ne[0] == 0 the element
  // count is 0 even when ne[1] * ne[2] * ne[3] (the row count) overflows.
  int64_t n_elements = 1;
  int64_t n_rows = 1;
  for (int dim_idx = 0; dim_idx < kGgufMaxDims; ++dim_idx) {
    if (__builtin_mul_overflow(n_elements, info.ne[dim_idx], &n_elements) ||
        (dim_idx > 0 && __builtin_mul_overflow(n_rows, info.ne[dim_idx], &n_rows))) {
      return InvalidArgumentError("shape " + ShapeText(info) + " has more than 2^63-1 elements or rows");
    }
  }
  return OkStatus();
}

Status ReadDType(GgufByteCursor& cursor, GgufTensorInfo& info) {
  size_t offset = cursor.offset();
  FAB_ASSIGN_OR_RETURN(uint32_t type_number, cursor.ReadU32("dtype"));
  std::optional<DTypeInfo> dtype = LookupDType(type_number);
  if (!dtype.has_value()) {
    std::string detail = (type_number == 4 || type_number == 5) ? " (Q4_2/Q4_3, removed from ggml)" : "";
    return InvalidArgumentError("unknown dtype " + std::to_string(type_number) + detail + " at offset " +
                                std::to_string(offset));
  }
  info.dtype = dtype->dtype;
  FAB_ASSIGN_OR_RETURN(int64_t row_bytes, RowBytes(info.dtype, info.ne[0]));
  int64_t n_rows = info.ne[1] * info.ne[2] * info.ne[3];  // checked in ReadShape
  if (__builtin_mul_overflow(row_bytes, n_rows, &info.n_bytes)) {
    return InvalidArgumentError("shape " + ShapeText(info) + " of " + DTypeName(info.dtype) +
                                " has more than 2^63-1 bytes");
  }
  return OkStatus();
}

StatusOr<GgufTensorInfo> ReadEntry(GgufByteCursor& cursor, size_t alignment, const GgufLimits& limits) {
  GgufTensorInfo info;
  size_t name_offset = cursor.offset();
  FAB_ASSIGN_OR_RETURN(info.name, cursor.ReadString("tensor name", limits.max_tensor_name_bytes));
  if (info.name.empty()) return InvalidArgumentError("empty tensor name at offset " + std::to_string(name_offset));
  std::string context = "tensor '" + info.name + "'";
  Status status = ReadShape(cursor, info);
  if (status.ok()) status = ReadDType(cursor, info);
  if (!status.ok()) return status.WithContext(context);
  StatusOr<uint64_t> offset = cursor.ReadU64("data offset");
  if (!offset.ok()) return offset.status().WithContext(context);
  if (*offset % alignment != 0) {
    return InvalidArgumentError(context + ": data offset " + std::to_string(*offset) +
                                " is not a multiple of the alignment " + std::to_string(alignment));
  }
  info.offset_in_data = *offset;
  info.view.dtype = info.dtype;
  std::copy(std::begin(info.ne), std::end(info.ne), std::begin(info.view.ne));
  return info;
}

std::string RangeText(const GgufTensorInfo& info, size_t data_offset) {
  uint64_t start = 0;
  std::string offset_text = __builtin_add_overflow(data_offset, info.offset_in_data, &start)
                                ? std::to_string(data_offset) + " + " + std::to_string(info.offset_in_data)
                                : std::to_string(start);
  return "[offset " + offset_text + ", " + std::to_string(info.n_bytes) + " bytes]";
}

}  // namespace

StatusOr<GgufTensorDirectory> ReadGgufTensorDirectory(GgufByteCursor& cursor, uint64_t n_tensors,
                                                      size_t alignment, const GgufLimits& limits) {
  GgufTensorDirectory directory;
  directory.tensors.reserve(static_cast<size_t>(n_tensors));
  for (uint64_t tensor_idx = 0; tensor_idx < n_tensors; ++tensor_idx) {
    StatusOr<GgufTensorInfo> info = ReadEntry(cursor, alignment, limits);
    if (!info.ok()) return info.status().WithContext("tensor entry " + std::to_string(tensor_idx));
    if (!directory.index.emplace(info->name, directory.tensors.size()).second) {
      return InvalidArgumentError("duplicate tensor name '" + info->name + "'");
    }
    directory.tensors.push_back(std::move(info).value());
  }
  return directory;
}

Status PlaceGgufTensors(std::vector<GgufTensorInfo>& tensors, const uint8_t* file_data, size_t file_size,
                        size_t data_offset) {
  for (GgufTensorInfo& info : tensors) {
    uint64_t start = 0;
    uint64_t end = 0;
    if (__builtin_add_overflow(data_offset, info.offset_in_data, &start) ||
        __builtin_add_overflow(start, static_cast<uint64_t>(info.n_bytes), &end) || end > file_size) {
      return DataLossError("tensor '" + info.name + "': data " + RangeText(info, data_offset) +
                           " runs past end of file (size " + std::to_string(file_size) + ")");
    }
    info.view.data = file_data + start;
  }
  // Sorted by offset, each non-empty tensor must start at or after the end
  // of the non-empty tensor before it (ranges are disjoint, so that one ends last).
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return tensors[a].offset_in_data < tensors[b].offset_in_data; });
  const GgufTensorInfo* furthest = nullptr;  // the previous non-empty tensor
  for (size_t tensor_idx : order) {
    const GgufTensorInfo& info = tensors[tensor_idx];
    if (info.n_bytes == 0) continue;
    if (furthest != nullptr) {
      uint64_t furthest_end = furthest->offset_in_data + static_cast<uint64_t>(furthest->n_bytes);
      if (info.offset_in_data < furthest_end) {
        return InvalidArgumentError("tensors '" + furthest->name + "' " + RangeText(*furthest, data_offset) +
                                    " and '" + info.name + "' " + RangeText(info, data_offset) + " overlap");
      }
    }
    furthest = &info;
  }
  return OkStatus();
}

}  // namespace fab::gguf_internal
