// From the public EngineOptions to the engine's EngineConfig: the KV pool as
// tokens or bytes (options.kv_cache, runtime/kv_pool_size.h) in a KV dtype
// (options.kv_dtype), and the scheduler limits. Used by the public Engine and
// by `tokenfab serve` and `bench engine|soak`; errors are InvalidArgument
// naming the option as its flag (--kv-cache, --kv-dtype).
#pragma once

#include <cstdint>

#include "base/status.h"
#include "engine/engine_config.h"
#include "model/model.h"
#include "tokenfab/engine.h"

namespace fab::api {

// Token slots per KV block, for every engine made here.
inline constexpr int32_t kBlockSize = 16;

// A consistent engine config for `model`: block size kBlockSize, a step
// budget of max(512, max_sequences) tokens, prefill chunks of 512, a KV pool
// of options.kv_cache (or default_pool_tokens rounded up to whole blocks).
// options.n_threads and n_ctx are not read here.
StatusOr<engine::EngineConfig> MakeEngineConfig(const model::Model& model, const tokenfab::EngineOptions& options,
                                                int64_t default_pool_tokens);

// Bytes of the KV pages of `config` for `model` (what the pool may grow to).
int64_t KvPoolBytes(const model::Model& model, const engine::EngineConfig& config);

}  // namespace fab::api
