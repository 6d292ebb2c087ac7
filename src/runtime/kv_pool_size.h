// KV pool sizing from a command-line spec: how many KV blocks a pool of "N
// tokens" or "N bytes" holds for a model's KV shape and dtype, and the KV
// dtype names. Pure functions of text and numbers, for the CLI and the engine
// configuration; any thread may call them. Bad text is an InvalidArgument
// naming the spec, never a crash.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "runtime/kv_pages.h"

namespace fab::runtime {

// Blocks of `block_size` slots that a pool of `spec` holds:
//  - tokens: a number with an optional binary multiplier, "65536", "64k" or
//    "64Ki" (= 65536 tokens), "1M" / "1Mi"; → ceil(tokens / block_size) blocks;
//  - bytes: a number with a byte unit, decimal "800MB", "1.5GB" (1000^n) or
//    binary "512MiB", "2GiB" (1024^n), "4096B"; → floor(bytes / bytes per block).
// Units are case-insensitive; the number is decimal digits with an optional
// fraction. shape.n_blocks is ignored. InvalidArgument for malformed or
// negative text, a pool under one block, one over KvPages::kMaxBytes or
// KvPages::kMaxDimension blocks, or a shape the dtype cannot store (Q8_0
// needs head_dim % 32 == 0).
StatusOr<int64_t> KvPoolBlocks(std::string_view spec, const KvPagesShape& shape, KvDType dtype, int32_t block_size);

// "f16", "f32" or "q8_0", case-insensitive (KvDTypeName gives the canonical name).
StatusOr<KvDType> ParseKvDType(std::string_view name);

}  // namespace fab::runtime
