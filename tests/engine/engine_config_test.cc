// EngineConfig::Validate names the field that is out of range or that
// disagrees between the executor and the scheduler's KV cache;
// MakeEngineConfig always produces a valid, consistent config.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "engine/engine_config.h"

namespace fab::engine {
namespace {

scheduler::SchedulerConfig SchedulerLimits() {
  scheduler::SchedulerConfig config;
  config.kv_cache.capacity_tokens = 1024;
  config.kv_cache.block_size = 16;
  return config;
}

void ExpectInvalid(const EngineConfig& config, const std::string& field) {
  const Status status = config.Validate();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << field;
  EXPECT_NE(status.message().find(field), std::string::npos) << status.ToString();
}

TEST(EngineConfig, MadeConfigsAreValidAndConsistent) {
  const EngineConfig config = MakeEngineConfig(SchedulerLimits(), runtime::KvDType::kQ8_0, 8);
  EXPECT_TRUE(config.Validate().ok()) << config.Validate().ToString();
  EXPECT_EQ(config.executor.n_blocks, 64);
  EXPECT_EQ(config.executor.block_size, 16);
  EXPECT_EQ(config.executor.max_tokens_per_step, config.scheduler.max_tokens_per_step);
  EXPECT_EQ(config.executor.kv_dtype, runtime::KvDType::kQ8_0);
}

TEST(EngineConfig, NamesTheFieldThatIsWrong) {
  EngineConfig config = MakeEngineConfig(SchedulerLimits(), runtime::KvDType::kF16, 8);
  config.max_waiting = 0;
  ExpectInvalid(config, "max_waiting 0");
  config = MakeEngineConfig(SchedulerLimits(), runtime::KvDType::kF16, 8);
  config.executor.n_blocks = 63;
  ExpectInvalid(config, "executor n_blocks 63");
  config = MakeEngineConfig(SchedulerLimits(), runtime::KvDType::kF16, 8);
  config.executor.block_size = 32;
  ExpectInvalid(config, "executor block_size 32");
  config = MakeEngineConfig(SchedulerLimits(), runtime::KvDType::kF16, 8);
  config.executor.max_tokens_per_step = 1;
  ExpectInvalid(config, "executor max_tokens_per_step 1");
  config = MakeEngineConfig(SchedulerLimits(), runtime::KvDType::kF16, 8);
  config.scheduler.max_sequences = 0;
  ExpectInvalid(config, "max_sequences");
  config = MakeEngineConfig(SchedulerLimits(), runtime::KvDType::kF16, 8);
  config.stall_limit = std::chrono::milliseconds(0);
  ExpectInvalid(config, "stall_limit 0 ms");
  config.stall_limit = std::chrono::hours(25);
  ExpectInvalid(config, "stall_limit 90000000 ms");
}

}  // namespace
}  // namespace fab::engine
