// A failing step does not stop the engine: the requests in that step end
// with FinishReason::kError and the runtime's Status, their blocks return to
// the pool, and later requests are served as if nothing had happened.
#include <gtest/gtest.h>

#include "engine/failing_executor.h"
#include "engine_test_util.h"

namespace fab::engine {
namespace {

std::unique_ptr<Engine> MakeFailingEngine(ThreadPool& pool, int64_t failing_step) {
  const model::Model& model = runtime::SmallModel("llama");
  const EngineConfig config = MakeTestConfig();
  StatusOr<std::unique_ptr<runtime::Executor>> executor = runtime::Executor::Create(model, pool, config.executor);
  FAB_CHECK(executor.ok()) << executor.status().ToString();
  StatusOr<std::unique_ptr<Engine>> engine = Engine::CreateWithExecutor(
      ModelLimits{model.hparams().n_vocab, model.hparams().n_ctx_train}, config,
      std::make_unique<FailingExecutor>(std::move(executor).value(), failing_step));
  FAB_CHECK(engine.ok()) << engine.status().ToString();
  return std::move(engine).value();
}

TEST(EngineFailure, AFailedStepEndsItsRequestsWithTheErrorAndServingGoesOn) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeFailingEngine(pool, /*failing_step=*/2);
  // Three prompts of 10 tokens fit the first step's budget together; the second step decodes all three.
  std::vector<std::shared_ptr<RecordingObserver>> observers;
  std::vector<GenerationRequest> requests;
  std::vector<std::shared_ptr<RequestObserver>> as_observers;
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    requests.push_back(GreedyRequest(runtime::MakePrompt(10, seed), 8));
    observers.push_back(std::make_shared<RecordingObserver>());
    as_observers.push_back(observers.back());
  }
  ASSERT_TRUE(engine->SubmitAll(std::move(requests), as_observers).ok());
  for (const auto& observer : observers) {
    const std::optional<RequestSummary> summary = observer->WaitForFinish();
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->reason, FinishReason::kError);
    EXPECT_EQ(summary->error.code(), StatusCode::kInternal);
    EXPECT_NE(summary->error.message().find("injected fault"), std::string::npos);
    EXPECT_EQ(summary->counters.n_generated, 1);
    EXPECT_EQ(observer->n_finish_calls(), 1);
  }
  EXPECT_EQ(engine->Stats().n_kv_blocks_used, 0);

  const std::vector<TokenId> prompt = runtime::MakePrompt(12, 9);
  std::vector<TokenId> expected;
  {
    ThreadPool solo_pool(1);
    expected = runtime::GreedyAlone(runtime::SmallModel("llama"), solo_pool, prompt, 6);
  }
  auto after = std::make_shared<RecordingObserver>();
  ASSERT_TRUE(engine->Submit(GreedyRequest(prompt, 6), after).ok());
  const std::optional<RequestSummary> summary = after->WaitForFinish();
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->reason, FinishReason::kMaxTokens);
  EXPECT_EQ(after->tokens(), expected);
  engine->Shutdown(Clock::now());
  EXPECT_EQ(engine->Stats().n_finished_by_reason[static_cast<size_t>(FinishReason::kError)], 3);
}

}  // namespace
}  // namespace fab::engine
