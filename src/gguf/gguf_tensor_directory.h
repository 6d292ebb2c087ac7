// The tensor directory of a GGUF file (see the format at the top of
// gguf_file.cc), for GgufFile only. ReadGgufTensorDirectory checks each entry
// on its own (name, rank, dims, dtype, block multiple, byte size, offset
// alignment); PlaceGgufTensors then checks the entries against the file
// (data within the file, no two tensors overlapping) and sets their views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "gguf/gguf_byte_cursor.h"
#include "gguf/gguf_limits.h"
#include "gguf/gguf_tensor_info.h"

namespace fab::gguf_internal {

struct GgufTensorDirectory {
  std::vector<GgufTensorInfo> tensors;                 // file order
  std::map<std::string, size_t, std::less<>> index;   // name -> tensors index
};

// Fewest bytes one directory entry can take: name length, 1 name byte,
// n_dims, one dimension, dtype, offset.
inline constexpr uint64_t kMinTensorEntryBytes = 8 + 1 + 4 + 8 + 4 + 8;

// Reads n_tensors entries at the cursor; n_tensors was already checked
// against caps. Views are left without data.
StatusOr<GgufTensorDirectory> ReadGgufTensorDirectory(GgufByteCursor& cursor, uint64_t n_tensors,
                                                      size_t alignment, const GgufLimits& limits);

// Checks every tensor's bytes lie in [data_offset, file_size) and that no
// two tensors share a byte, then points each view at file_data + its offset.
Status PlaceGgufTensors(std::vector<GgufTensorInfo>& tensors, const uint8_t* file_data, size_t file_size,
                        size_t data_offset);

}  // namespace fab::gguf_internal
