#include "kernels/packed_weights.h"

#include <cstring>
#include <span>

#include "base/check.h"
#include "kernels/quant_blocks.h"

namespace fab::kernels {
namespace {

// One field of a ggml block: byte offset, size, and whether it is one fp16
// (transposed as 16 × fp16) or a byte array (transposed in 4-byte chunks).
struct Field {
  int offset;
  int size;
  bool fp16;
};

constexpr Field kQ4_0Fields[] = {{0, 2, true}, {2, 16, false}};
constexpr Field kQ8_0Fields[] = {{0, 2, true}, {2, 32, false}};
constexpr Field kQ4_KFields[] = {{0, 2, true}, {2, 2, true}, {4, 12, false}, {16, 128, false}};
constexpr Field kQ5_KFields[] = {{0, 2, true}, {2, 2, true}, {4, 12, false}, {16, 32, false}, {48, 128, false}};
constexpr Field kQ6_KFields[] = {{0, 128, false}, {128, 64, false}, {192, 16, false}, {208, 2, true}};

std::span<const Field> FieldsOf(DType file_dtype) {
  switch (file_dtype) {
    case DType::kQ4_0: return kQ4_0Fields;
    case DType::kQ8_0: return kQ8_0Fields;
    case DType::kQ4_K: return kQ4_KFields;
    case DType::kQ5_K: return kQ5_KFields;
    case DType::kQ6_K: return kQ6_KFields;
    default: FAB_CHECK(false) << "no packed layout for " << DTypeName(file_dtype);
  }
  return {};
}

int64_t BlockBytes(DType file_dtype) { return GetDTypeInfo(file_dtype).type_size; }

// The byte offset of byte i of `field` of row r inside a record.
int64_t FieldByteOffset(const Field& field, int r, int i) {
  if (field.fp16) return 16 * field.offset + 2 * r + i;
  return 16 * field.offset + 64 * (i / 4) + 4 * r + i % 4;
}

// q8_0 stores its signed codes as unsigned (XOR 0x80) in the qs field.
uint8_t CodeFlip(DType file_dtype, const Field& field) {
  return file_dtype == DType::kQ8_0 && !field.fp16 ? 0x80 : 0x00;
}

}  // namespace

std::optional<DType> PackedDTypeOf(DType dtype) {
  switch (dtype) {
    case DType::kQ4_0: return DType::kQ4_0x16;
    case DType::kQ8_0: return DType::kQ8_0x16;
    case DType::kQ4_K: return DType::kQ4_Kx16;
    case DType::kQ5_K: return DType::kQ5_Kx16;
    case DType::kQ6_K: return DType::kQ6_Kx16;
    default: return std::nullopt;
  }
}

DType UnpackedDTypeOf(DType dtype) {
  switch (dtype) {
    case DType::kQ4_0x16: return DType::kQ4_0;
    case DType::kQ8_0x16: return DType::kQ8_0;
    case DType::kQ4_Kx16: return DType::kQ4_K;
    case DType::kQ5_Kx16: return DType::kQ5_K;
    case DType::kQ6_Kx16: return DType::kQ6_K;
    default: return dtype;
  }
}

bool IsPackedDType(DType dtype) { return UnpackedDTypeOf(dtype) != dtype; }

bool IsPackedKQuant(DType dtype) {
  return dtype == DType::kQ4_Kx16 || dtype == DType::kQ5_Kx16 || dtype == DType::kQ6_Kx16;
}

bool CanPack(const TensorView& w) {
  if (!PackedDTypeOf(w.dtype).has_value()) return false;
  const int64_t block_size = GetDTypeInfo(w.dtype).block_size;
  return w.ne[2] == 1 && w.ne[3] == 1 && w.n_rows() % kPanelRows == 0 && w.row_length() % block_size == 0 &&
         w.row_length() > 0;
}

int64_t PackedRecordBytes(DType packed_dtype) {
  return kPanelRows * BlockBytes(UnpackedDTypeOf(packed_dtype));
}

int64_t PackedByteOffset(DType packed_dtype, int r, int64_t m) {
  for (const Field& field : FieldsOf(UnpackedDTypeOf(packed_dtype))) {
    if (m >= field.offset && m < field.offset + field.size) {
      return FieldByteOffset(field, r, static_cast<int>(m - field.offset));
    }
  }
  FAB_CHECK(false) << "byte " << m << " outside a " << DTypeName(packed_dtype) << " block";
  return 0;
}

void PackPanel(DType dtype, const uint8_t* rows, int64_t row_bytes, int64_t n_in, uint8_t* out) {
  const int64_t block_bytes = BlockBytes(dtype);
  const int64_t record_bytes = kPanelRows * block_bytes;
  const int64_t n_blocks = n_in / GetDTypeInfo(dtype).block_size;
  for (int64_t b = 0; b < n_blocks; ++b) {
    uint8_t* record = out + b * record_bytes;
    for (int r = 0; r < kPanelRows; ++r) {
      const uint8_t* block = rows + r * row_bytes + b * block_bytes;
      for (const Field& field : FieldsOf(dtype)) {
        const uint32_t flip = CodeFlip(dtype, field) * 0x01010101u;
        for (int i = 0; i < field.size; i += field.fp16 ? 2 : 4) {
          uint32_t word = 0;
          const int n = field.fp16 ? 2 : 4;
          std::memcpy(&word, block + field.offset + i, n);
          word ^= flip;
          std::memcpy(record + FieldByteOffset(field, r, i), &word, n);
        }
      }
    }
  }
}

void UnpackPanel(DType packed_dtype, const uint8_t* panel, int64_t row_bytes, int64_t n_in, uint8_t* rows) {
  const DType dtype = UnpackedDTypeOf(packed_dtype);
  const int64_t block_bytes = BlockBytes(dtype);
  const int64_t record_bytes = kPanelRows * block_bytes;
  const int64_t n_blocks = n_in / GetDTypeInfo(dtype).block_size;
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* record = panel + b * record_bytes;
    for (int r = 0; r < kPanelRows; ++r) {
      uint8_t* block = rows + r * row_bytes + b * block_bytes;
      for (const Field& field : FieldsOf(dtype)) {
        const uint8_t flip = CodeFlip(dtype, field);
        for (int i = 0; i < field.size; ++i) block[field.offset + i] = record[FieldByteOffset(field, r, i)] ^ flip;
      }
    }
  }
}

uint8_t PackedCodeK(DType packed_dtype, const uint8_t* record, int r, int k) {
  const auto byte = [&](int m) { return record[PackedByteOffset(packed_dtype, r, m)]; };
  if (packed_dtype == DType::kQ6_Kx16) {  // ql @0, qh @128
    const int half = k / 128, i = (k % 128) / 32, l = k % 32;
    const int low = (byte(64 * half + 32 * (i % 2) + l) >> (4 * (i / 2))) & 0xF;
    const int high = (byte(128 + 32 * half + l) >> (2 * i)) & 3;
    return static_cast<uint8_t>(low | (high << 4));
  }
  const bool five_bit = packed_dtype == DType::kQ5_Kx16;
  const int qs = five_bit ? 48 : 16;
  const int j = k / 32, l = k % 32;
  int code = (byte(qs + 32 * (j / 2) + l) >> (4 * (j % 2))) & 0xF;
  if (five_bit) code |= ((byte(16 + l) >> j) & 1) << 4;
  return static_cast<uint8_t>(code);
}

void PackedScaleMinK(DType packed_dtype, const uint8_t* record, int r, int j, int* scale, int* min) {
  const auto byte = [&](int m) { return record[PackedByteOffset(packed_dtype, r, m)]; };
  if (packed_dtype == DType::kQ6_Kx16) {
    *scale = static_cast<int8_t>(byte(192 + j));
    *min = 0;
    return;
  }
  const auto scales = [&](int i) { return byte(4 + i); };  // the 12 packed bytes
  if (j < 4) {
    *scale = scales(j) & 63;
    *min = scales(j + 4) & 63;
  } else {
    *scale = (scales(j + 4) & 0xF) | ((scales(j - 4) >> 6) << 4);
    *min = (scales(j + 4) >> 4) | ((scales(j) >> 6) << 4);
  }
}

TensorView PackMatrix(const TensorView& w, uint8_t* out, ThreadPool& pool) {
  FAB_CHECK(CanPack(w)) << "PackMatrix over " << DTypeName(w.dtype);
  const int64_t row_bytes = w.row_bytes();
  const int64_t panel_bytes = kPanelRows * row_bytes;
  pool.ParallelFor(w.n_rows() / kPanelRows, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      PackPanel(w.dtype, w.row(p * kPanelRows), row_bytes, w.row_length(), out + p * panel_bytes);
    }
  });
  TensorView packed = w;
  packed.dtype = *PackedDTypeOf(w.dtype);
  packed.data = out;
  return packed;
}

}  // namespace fab::kernels
