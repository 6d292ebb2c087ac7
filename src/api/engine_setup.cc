#include "api/engine_setup.h"

#include <algorithm>
#include <random>
#include <string>

#include "runtime/kv_pages.h"
#include "runtime/kv_pool_size.h"

namespace fab::api {
namespace {

constexpr int64_t kMinStepTokens = 512;
constexpr int64_t kMaxPrefillChunk = 512;

runtime::KvPagesShape ShapeOf(const model::Model& model, int64_t n_blocks) {
  const model::ModelHparams& hp = model.hparams();
  return runtime::KvPagesShape{n_blocks, kBlockSize, hp.n_layer, hp.n_head_kv, hp.head_dim};
}

}  // namespace

StatusOr<engine::EngineConfig> MakeEngineConfig(const model::Model& model, const tokenfab::EngineOptions& flags,
                                                int64_t default_pool_tokens) {
  StatusOr<runtime::KvDType> dtype = runtime::ParseKvDType(flags.kv_dtype);
  if (!dtype.ok()) return dtype.status().WithContext("--kv-dtype");
  int64_t n_blocks = (std::max<int64_t>(default_pool_tokens, 1) + kBlockSize - 1) / kBlockSize;
  if (!flags.kv_cache.empty()) {
    StatusOr<int64_t> blocks = runtime::KvPoolBlocks(flags.kv_cache, ShapeOf(model, 0), *dtype, kBlockSize);
    if (!blocks.ok()) return blocks.status().WithContext("--kv-cache");
    n_blocks = *blocks;
  }
  scheduler::SchedulerConfig scheduler;
  scheduler.max_sequences = flags.max_sequences;
  scheduler.max_tokens_per_step =
      flags.max_step_tokens > 0 ? flags.max_step_tokens : std::max<int64_t>(kMinStepTokens, flags.max_sequences);
  if (scheduler.max_tokens_per_step < flags.max_sequences) {
    return InvalidArgumentError("the step token budget " + std::to_string(scheduler.max_tokens_per_step) +
                                " is below the " + std::to_string(flags.max_sequences) +
                                " sequences that may decode in one step");
  }
  scheduler.prefill_chunk = std::min(kMaxPrefillChunk, scheduler.max_tokens_per_step);
  scheduler.kv_cache.capacity_tokens = n_blocks * kBlockSize;
  scheduler.kv_cache.block_size = kBlockSize;
  scheduler.kv_cache.hash_seed = std::random_device{}();
  engine::EngineConfig config = engine::MakeEngineConfig(scheduler, *dtype, flags.max_waiting);
  FAB_RETURN_IF_ERROR(config.Validate());
  return config;
}

int64_t KvPoolBytes(const model::Model& model, const engine::EngineConfig& config) {
  const runtime::KvPagesShape shape = ShapeOf(model, config.executor.n_blocks);
  return static_cast<int64_t>(runtime::KvPages::BytesPerToken(shape, config.executor.kv_dtype)) *
         config.executor.n_blocks * config.executor.block_size;
}

}  // namespace fab::api
