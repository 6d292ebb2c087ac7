// Identifiers shared by the KV-cache bookkeeping and its callers (runtime/,
// scheduler/, engine/). A BlockId indexes a KV page that runtime/ owns; a
// SeqId names one sequence and is assigned by the engine.
#pragma once

#include <cstdint>

namespace fab::kvcache {

using BlockId = int32_t;  // [0, n_blocks) of one BlockPool
using SeqId = int64_t;    // unique among live sequences of one KvCacheManager

}  // namespace fab::kvcache
