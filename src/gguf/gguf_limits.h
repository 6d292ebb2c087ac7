// GgufLimits: the caps the GGUF reader applies to every count and size it
// reads, so a hostile file fails with a Status before anything big is
// allocated. The defaults admit every real model we know of (vocabularies of
// a few hundred thousand tokens, chat templates of ~100 KiB, ~10^4 tensors).
// Plain data; copy and adjust freely (tests and fuzzers use smaller caps).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.h"

namespace fab {

struct GgufLimits {
  uint64_t max_tensors = 65536;            // entries in the tensor directory
  uint64_t max_kv = 65536;                 // metadata key/value pairs
  uint64_t max_key_bytes = 64 * 1024;      // one metadata key (must be non-empty)
  uint64_t max_string_bytes = 16u << 20;   // one string value (or array element)
  uint64_t max_array_elements = 16u << 20; // one array, counting only its own elements
  int max_array_depth = 4;                 // an array of arrays has depth 2
  uint64_t max_tensor_name_bytes = 1024;   // one tensor name (must be non-empty)
  uint64_t max_alignment = 1u << 20;       // general.alignment (a power of two)
};

// The alignment used when a file has no general.alignment key.
inline constexpr size_t kGgufDefaultAlignment = 32;
// Tensors have at most this many dimensions (as in ggml).
inline constexpr int kGgufMaxDims = 4;

// OK when `alignment` is a power of two no larger than max_alignment;
// otherwise InvalidArgument (0, not a power of two) or ResourceExhausted.
Status CheckGgufAlignment(uint64_t alignment, uint64_t max_alignment);

}  // namespace fab
