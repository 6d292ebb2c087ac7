// Packed weight layouts: q4_0 and q8_0 matrices rearranged at load time into
// panels of kPanelRows consecutive rows so that one zmm holds 4 consecutive
// codes of each of 16 rows, the unsigned operand of vpdpbusd, while the
// activations (the signed operand) are broadcast from memory. Pure functions,
// thread-safe; callers own every buffer.
//
// Layout contract (DType::kQ4_0x16 / kQ8_0x16; rows r = 0..15 of a panel,
// blocks b = 0..n_blocks-1 of 32 elements, panels back to back):
//   panel = n_blocks block records, each:
//     scales: 16 × fp16 (row r's ggml block scale d at byte 2r)     32 bytes
//     codes:  q4_0: 4 chunks of 64 bytes; chunk i, bytes 4r..4r+3 =
//               row r's qs[4i..4i+3] (low nibbles: elements 4i..4i+3,
//               high nibbles: elements 16+4i..16+4i+3)                256 bytes
//             q8_0: 8 chunks of 64 bytes; chunk g, bytes 4r..4r+3 =
//               row r's qs[4g..4g+3] XOR 0x80 (unsigned code = q + 128) 512 bytes
//   A record is 16 × the ggml block size (288 / 544 bytes), so a panel is 16
//   rows' bytes and TensorView::row(16 * p) is the start of panel p.
// Element (r, k) = (code - code_offset) * d_r with code_offset 8 / 128, as
// IntBlockFormat of the unpacked dtype says.
#pragma once

#include <cstdint>
#include <optional>

#include "platform/thread_pool.h"
#include "tensor/tensor_view.h"

namespace fab::kernels {

inline constexpr int kPanelRows = 16;

// The packed twin of q4_0 / q8_0, or nullopt for every other dtype.
std::optional<DType> PackedDTypeOf(DType dtype);
// The file dtype a packed dtype came from; `dtype` itself when not packed.
DType UnpackedDTypeOf(DType dtype);
bool IsPackedDType(DType dtype);

// True when `w` is a 2-D q4_0 / q8_0 matrix whose row count is a multiple of
// kPanelRows (others stay in their file layout).
bool CanPack(const TensorView& w);

// Bytes of one block record (16 rows × one 32-element block).
int64_t PackedRecordBytes(DType packed_dtype);

// Packs kPanelRows rows (each row_bytes long, n_in elements) of `dtype` into
// one panel at `out` (16 * row_bytes bytes).
void PackPanel(DType dtype, const uint8_t* rows, int64_t row_bytes, int64_t n_in, uint8_t* out);
// The inverse: `rows` receives the original bytes of the panel's 16 rows.
void UnpackPanel(DType packed_dtype, const uint8_t* panel, int64_t row_bytes, int64_t n_in, uint8_t* rows);

// Packs all of `w` (CanPack(w) must hold) into `out` (w.n_bytes() bytes,
// 64-byte aligned for best speed), over `pool`; returns the packed view.
TensorView PackMatrix(const TensorView& w, uint8_t* out, ThreadPool& pool);

// Unsigned code of element k (0..31) of panel row r in a block record.
inline uint8_t PackedCode(DType packed_dtype, const uint8_t* record, int r, int k) {
  if (packed_dtype == DType::kQ4_0x16) {
    const int byte_idx = k % 16;
    const uint8_t byte = record[32 + 64 * (byte_idx / 4) + 4 * r + byte_idx % 4];
    return k < 16 ? (byte & 0x0F) : (byte >> 4);
  }
  return record[32 + 64 * (k / 4) + 4 * r + k % 4];
}

}  // namespace fab::kernels
