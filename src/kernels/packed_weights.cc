#include "kernels/packed_weights.h"

#include <cstring>

#include "base/check.h"
#include "kernels/quant_blocks.h"

namespace fab::kernels {
namespace {

constexpr int64_t kScaleBytes = 2 * kPanelRows;

int64_t BlockBytes(DType file_dtype) {
  return file_dtype == DType::kQ4_0 ? sizeof(BlockQ4_0) : sizeof(BlockQ8_0);
}

// Byte offset inside a record of qs byte m of row r (both layouts place
// qs[4i..4i+3] of row r in chunk i at 4r).
int64_t CodeOffset(int r, int m) { return kScaleBytes + 64 * (m / 4) + 4 * r + m % 4; }

}  // namespace

std::optional<DType> PackedDTypeOf(DType dtype) {
  if (dtype == DType::kQ4_0) return DType::kQ4_0x16;
  if (dtype == DType::kQ8_0) return DType::kQ8_0x16;
  return std::nullopt;
}

DType UnpackedDTypeOf(DType dtype) {
  if (dtype == DType::kQ4_0x16) return DType::kQ4_0;
  if (dtype == DType::kQ8_0x16) return DType::kQ8_0;
  return dtype;
}

bool IsPackedDType(DType dtype) { return dtype == DType::kQ4_0x16 || dtype == DType::kQ8_0x16; }

bool CanPack(const TensorView& w) {
  return PackedDTypeOf(w.dtype).has_value() && w.ne[2] == 1 && w.ne[3] == 1 && w.n_rows() % kPanelRows == 0 &&
         w.row_length() % kQk32 == 0 && w.row_length() > 0;
}

int64_t PackedRecordBytes(DType packed_dtype) {
  return kPanelRows * BlockBytes(UnpackedDTypeOf(packed_dtype));
}

void PackPanel(DType dtype, const uint8_t* rows, int64_t row_bytes, int64_t n_in, uint8_t* out) {
  const int64_t block_bytes = BlockBytes(dtype);
  const int64_t record_bytes = kPanelRows * block_bytes;
  const int n_dwords = dtype == DType::kQ4_0 ? 4 : 8;
  const uint32_t flip = dtype == DType::kQ4_0 ? 0u : 0x80808080u;
  for (int64_t b = 0; b < n_in / kQk32; ++b) {
    uint8_t* record = out + b * record_bytes;
    for (int r = 0; r < kPanelRows; ++r) {
      const uint8_t* block = rows + r * row_bytes + b * block_bytes;
      std::memcpy(record + 2 * r, block, 2);
      for (int i = 0; i < n_dwords; ++i) {
        uint32_t dword;
        std::memcpy(&dword, block + 2 + 4 * i, 4);
        dword ^= flip;
        std::memcpy(record + CodeOffset(r, 4 * i), &dword, 4);
      }
    }
  }
}

void UnpackPanel(DType packed_dtype, const uint8_t* panel, int64_t row_bytes, int64_t n_in, uint8_t* rows) {
  const DType dtype = UnpackedDTypeOf(packed_dtype);
  const int64_t block_bytes = BlockBytes(dtype);
  const int64_t record_bytes = kPanelRows * block_bytes;
  const int qs_bytes = dtype == DType::kQ4_0 ? 16 : 32;
  const uint8_t flip = dtype == DType::kQ4_0 ? 0x00 : 0x80;
  for (int64_t b = 0; b < n_in / kQk32; ++b) {
    const uint8_t* record = panel + b * record_bytes;
    for (int r = 0; r < kPanelRows; ++r) {
      uint8_t* block = rows + r * row_bytes + b * block_bytes;
      std::memcpy(block, record + 2 * r, 2);
      for (int m = 0; m < qs_bytes; ++m) block[2 + m] = record[CodeOffset(r, m)] ^ flip;
    }
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
