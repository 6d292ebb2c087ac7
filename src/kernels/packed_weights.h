// Packed weight layouts: q4_0, q8_0, q4_K, q5_K and q6_K matrices rearranged
// at load time into panels of kPanelRows consecutive rows so that one zmm
// holds 4 consecutive codes of each of 16 rows, the unsigned operand of
// vpdpbusd, while the activations (the signed operand) are broadcast from
// memory. Pure functions, thread-safe; callers own every buffer.
//
// Layout contract (DType::kQ4_0x16 / kQ8_0x16 / kQ4_Kx16 / kQ5_Kx16 /
// kQ6_Kx16; rows r = 0..15 of a panel, blocks b = 0..n_blocks-1 of the file
// dtype's block size, 32 or 256 elements, panels back to back):
//   panel = n_blocks block records of 16 × the ggml block size; a record holds
//   the fields of the ggml block in ggml's order, each transposed across the
//   16 rows. A field at byte offset o of size s in the block starts at 16·o
//   in the record, and byte m = o + i of row r's block lies at
//     fp16 fields (d, dmin):  16·o + 2r + i                 (16 × fp16)
//     byte arrays (qs, qh, ql, 6-bit scales): 16·o + 64·⌊i/4⌋ + 4r + i%4
//       (chunk c of 64 bytes holds bytes 4c..4c+3 of every row)
//   q8_0 codes are stored XOR 0x80 (unsigned code = q + 128).
//   Records (bytes): q4_0 288 = d 32 | qs 256; q8_0 544 = d 32 | qs 512;
//     q4_K 2304 = d 32 | dmin 32 | scales 192 | qs 2048;
//     q5_K 2816 = d 32 | dmin 32 | scales 192 | qh 512 | qs 2048;
//     q6_K 3360 = ql 2048 | qh 1024 | scales 256 | d 32.
//   So a panel is 16 rows' bytes, TensorView::row(16 * p) is the start of
//   panel p, and the packed matrix is exactly as large as the file's.
// Element (r, k) = (code - code_offset) * d_r as IntBlockFormat of q4_0 /
// q8_0 says; for the K-quants it is ggml's formula over the block fields, and
// the 4 codes of element group G (elements 4G..4G+3 of a super-block) for all
// 16 rows come from one 64-byte chunk of each code array (PackedCodeK).
#pragma once

#include <cstdint>
#include <optional>

#include "platform/thread_pool.h"
#include "tensor/tensor_view.h"

namespace fab::kernels {

inline constexpr int kPanelRows = 16;

// The packed twin of q4_0 / q8_0 / q4_K / q5_K / q6_K, or nullopt for every
// other dtype.
std::optional<DType> PackedDTypeOf(DType dtype);
// The file dtype a packed dtype came from; `dtype` itself when not packed.
DType UnpackedDTypeOf(DType dtype);
bool IsPackedDType(DType dtype);
// True for kQ4_Kx16 / kQ5_Kx16 / kQ6_Kx16 (256-element super-block records,
// q8_K-style activations: see quant_ops.h KActivationFormat).
bool IsPackedKQuant(DType dtype);

// True when `w` is a 2-D matrix of a dtype with a packed twin whose row count
// is a multiple of kPanelRows (others stay in their file layout).
bool CanPack(const TensorView& w);

// Bytes of one block record (16 rows × one 32- or 256-element block).
int64_t PackedRecordBytes(DType packed_dtype);

// Packs kPanelRows rows (each row_bytes long, n_in elements) of `dtype` into
// one panel at `out` (16 * row_bytes bytes).
void PackPanel(DType dtype, const uint8_t* rows, int64_t row_bytes, int64_t n_in, uint8_t* out);
// The inverse: `rows` receives the original bytes of the panel's 16 rows.
void UnpackPanel(DType packed_dtype, const uint8_t* panel, int64_t row_bytes, int64_t n_in, uint8_t* rows);

// Packs all of `w` (CanPack(w) must hold) into `out` (w.n_bytes() bytes,
// 64-byte aligned for best speed), over `pool`; returns the packed view.
TensorView PackMatrix(const TensorView& w, uint8_t* out, ThreadPool& pool);

// Byte offset in a record of byte `m` of row r's ggml block (the contract
// above), for every packed dtype.
int64_t PackedByteOffset(DType packed_dtype, int r, int64_t m);

// Unsigned code of element k (0..255) of panel row r in a K-quant record:
// q4_K 0..15, q5_K 0..31, q6_K 0..63 (weight = d·sc·(code − 32) for q6_K).
uint8_t PackedCodeK(DType packed_dtype, const uint8_t* record, int r, int k);
// Sub-block scale (and min) of row r: q4_K / q5_K sub-block j of 32 elements,
// 6-bit unsigned scale and min; q6_K sub-block j of 16, signed 8-bit scale
// (min 0). The block's d (and dmin) are fp16 at PackedByteOffset.
void PackedScaleMinK(DType packed_dtype, const uint8_t* record, int r, int j, int* scale, int* min);

// Unsigned code of element k (0..31) of panel row r in a q4_0 / q8_0 record.
inline uint8_t PackedCode(DType packed_dtype, const uint8_t* record, int r, int k) {
  if (packed_dtype == DType::kQ4_0x16) {
    const int byte_idx = k % 16;
    const uint8_t byte = record[32 + 64 * (byte_idx / 4) + 4 * r + byte_idx % 4];
    return k < 16 ? (byte & 0x0F) : (byte >> 4);
  }
  return record[32 + 64 * (k / 4) + 4 * r + k % 4];
}

}  // namespace fab::kernels
