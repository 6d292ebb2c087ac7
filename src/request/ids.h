// Identifiers every serving layer shares. A SeqId names one sequence in the
// KV cache and is assigned by the engine; a RequestId is the same number seen
// by the engine's callers. A BlockId indexes a KV page that runtime/ owns and
// kvcache/ accounts for. Header-only; below kvcache/ and scheduler/.
#pragma once

#include <cstdint>

namespace fab {

using SeqId = int64_t;      // unique among live sequences of one engine
using RequestId = SeqId;    // a request is one sequence
using BlockId = int32_t;    // [0, n_blocks) of one block pool
// A block table entry whose block went back to the pool because every
// position in it fell out of the sliding window (kvcache/kv_cache_config.h).
inline constexpr BlockId kReleasedBlock = -1;

}  // namespace fab
