// Engine settings from `tokenfab bench` flags: the KV pool as tokens or
// bytes (--kv-cache, runtime/kv_pool_size.h) in a KV dtype (--kv-dtype),
// and the scheduler limits. Shared by `bench engine`, `bench soak` and
// `serve`; errors are InvalidArgument naming the flag.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "engine/engine_config.h"
#include "model/model.h"

namespace fab::cli {

struct EngineFlags {
  std::string kv_cache;          // empty: default_pool_tokens
  std::string kv_dtype = "f16";  // f16, q8_0 or f32
  int32_t max_sequences = 64;
  int32_t max_waiting = 1024;
  // Tokens one engine step may compute (decode rows plus prefill chunks);
  // 0: max(512, max_sequences). Must be at least max_sequences.
  int64_t max_step_tokens = 0;
};

inline constexpr int32_t kBenchBlockSize = 16;

// A consistent engine config for `model`: block size 16, a step budget of
// max(512, max_sequences) tokens, prefill chunks of 512, a KV pool of
// flags.kv_cache (or default_pool_tokens rounded up to whole blocks).
StatusOr<engine::EngineConfig> MakeBenchEngineConfig(const model::Model& model, const EngineFlags& flags,
                                                     int64_t default_pool_tokens);

// Bytes of the KV pages of `config` for `model` (what the pool may grow to).
int64_t KvPoolBytes(const model::Model& model, const engine::EngineConfig& config);

}  // namespace fab::cli
