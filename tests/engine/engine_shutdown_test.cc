// Shutdown: with a deadline ahead, live requests run to their end; at a
// passed deadline the rest are cancelled; the destructor does the latter.
// Every accepted request gets exactly one OnFinish either way.
#include <gtest/gtest.h>

#include <thread>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

TEST(EngineShutdown, DrainsLiveRequestsBeforeTheDeadline) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool, MakeTestConfig(16 * 256, /*max_sequences=*/2));
  std::vector<std::shared_ptr<RecordingObserver>> observers;
  for (uint32_t seed = 0; seed < 6; ++seed) {
    observers.push_back(std::make_shared<RecordingObserver>());
    ASSERT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(12, seed), 5), observers.back()).ok());
  }
  engine->Shutdown(Clock::now() + kTestTimeout);
  for (const auto& observer : observers) {
    EXPECT_EQ(observer->n_finish_calls(), 1);
    const std::optional<RequestSummary> summary = observer->WaitForFinish();
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->reason, FinishReason::kMaxTokens);
    EXPECT_EQ(observer->tokens().size(), 5u);
  }
  const EngineStats stats = engine->Stats();
  EXPECT_EQ(stats.n_finished, 6);
  EXPECT_EQ(stats.n_running + stats.n_waiting, 0);
}

TEST(EngineShutdown, CancelsWhatIsLeftAtThePassedDeadline) {
  Gate reached, resume;
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool, MakeTestConfig(16 * 256, /*max_sequences=*/1));
  auto first = ParkAt(1, reached, resume);
  ASSERT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(10, 1), 100), first).ok());
  auto second = std::make_shared<RecordingObserver>();
  ASSERT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(10, 2), 100), second).ok());
  ASSERT_TRUE(reached.Wait());
  std::thread closer([&] { engine->Shutdown(Clock::now() - std::chrono::seconds(1)); });
  while (!engine->shutting_down()) std::this_thread::yield();
  resume.Open();
  closer.join();
  for (const auto& observer : {first, second}) {
    const std::optional<RequestSummary> summary = observer->WaitForFinish();
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->reason, FinishReason::kCancelled);
    EXPECT_EQ(observer->n_finish_calls(), 1);
  }
  EXPECT_EQ(first->tokens().size(), 1u);
  EXPECT_TRUE(second->tokens().empty());
  EXPECT_EQ(engine->Stats().n_kv_blocks_used, 0);
}

TEST(EngineShutdown, TheDestructorCancelsLiveRequests) {
  auto observer = std::make_shared<RecordingObserver>();
  {
    ThreadPool pool(2);
    std::unique_ptr<Engine> engine = MakeEngine(pool);
    ASSERT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(10, 1), 400), observer).ok());
    ASSERT_TRUE(observer->WaitForTokens(1));
  }
  const std::optional<RequestSummary> summary = observer->WaitForFinish();
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->reason, FinishReason::kCancelled);
  EXPECT_EQ(observer->n_finish_calls(), 1);
}

TEST(EngineShutdown, IsIdempotent) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  engine->Shutdown(Clock::now());
  engine->Shutdown(Clock::now());
  EXPECT_EQ(engine->Stats().n_steps, 0);
}

}  // namespace
}  // namespace fab::engine
