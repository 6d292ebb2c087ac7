// A model whose every layer attends a sliding window (llama with
// attention.sliding_window = 24) gives KV blocks back as the window passes
// them, so one request generates far more tokens than the pool holds, with
// the tokens model::Session gives it (which keeps every position and masks).
#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

TEST(EngineSlidingWindow, GeneratesPastThePoolCapacityWithTheTokensSessionGives) {
  const model::Model& model = runtime::SmallModel("llama-swa");
  ASSERT_TRUE(model.hparams().AllLayersSlide());
  const std::vector<TokenId> prompt = runtime::MakePrompt(30, 9);
  constexpr int32_t kNewTokens = 150;
  ThreadPool solo_pool(1);
  const std::vector<TokenId> expected = runtime::GreedyAlone(model, solo_pool, prompt, kNewTokens);

  ThreadPool pool(2);
  // 5 blocks of 16 = 80 slots for 180 positions: only released blocks make room.
  StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(model, pool, MakeTestConfig(16 * 5));
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto observer = std::make_shared<RecordingObserver>();
  ASSERT_TRUE((*engine)->Submit(GreedyRequest(prompt, kNewTokens), observer).ok());
  const std::optional<RequestSummary> summary = observer->WaitForFinish();
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->reason, FinishReason::kMaxTokens);
  EXPECT_EQ(summary->counters.n_preemptions, 0);
  EXPECT_EQ(observer->tokens(), expected);
}

}  // namespace
}  // namespace fab::engine
