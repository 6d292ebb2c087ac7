// Cancellation from another thread: it takes effect before the next step,
// ends the request with OnFinish(kCancelled) exactly once and returns its KV
// blocks; a waiting request can be cancelled too; unknown and ended ids are
// NotFound. The step thread is parked inside a callback where the test needs
// a fixed interleaving, so nothing depends on timing.
#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

TEST(EngineCancel, CancelFromAnotherThreadEndsTheStreamAndFreesItsBlocks) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  Gate reached, resume;
  auto observer = ParkAt(3, reached, resume);
  StatusOr<RequestId> id = engine->Submit(GreedyRequest(runtime::MakePrompt(40, 1), 200), observer);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(reached.Wait());
  EXPECT_TRUE(engine->Cancel(*id).ok());
  EXPECT_TRUE(engine->Cancel(*id).ok()) << "a second Cancel before it took effect is harmless";
  resume.Open();

  const std::optional<RequestSummary> summary = observer->WaitForFinish();
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->reason, FinishReason::kCancelled);
  EXPECT_EQ(summary->counters.n_generated, 3) << "no step runs between Cancel and its effect";
  EXPECT_EQ(observer->tokens().size(), 3u);
  EXPECT_EQ(observer->n_finish_calls(), 1);
  const EngineStats stats = engine->Stats();
  EXPECT_EQ(stats.n_kv_blocks_used, 0);
  EXPECT_EQ(stats.kv_usage, 0.0);
  EXPECT_EQ(stats.n_running, 0);
  EXPECT_EQ(stats.n_finished_by_reason[static_cast<size_t>(FinishReason::kCancelled)], 1);
  EXPECT_EQ(engine->Cancel(*id).code(), StatusCode::kNotFound);
  engine->Shutdown(Clock::now());
  EXPECT_EQ(observer->n_finish_calls(), 1);
}

TEST(EngineCancel, CancelsAWaitingRequestBeforeItRuns) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool, MakeTestConfig(16 * 256, /*max_sequences=*/1));
  Gate reached, resume;
  auto running = ParkAt(1, reached, resume);
  ASSERT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(20, 1), 4), running).ok());
  ASSERT_TRUE(reached.Wait());
  auto waiting = std::make_shared<RecordingObserver>();
  StatusOr<RequestId> waiting_id = engine->Submit(GreedyRequest(runtime::MakePrompt(20, 2), 4), waiting);
  ASSERT_TRUE(waiting_id.ok());
  EXPECT_TRUE(engine->Cancel(*waiting_id).ok());
  resume.Open();

  const std::optional<RequestSummary> cancelled = waiting->WaitForFinish();
  ASSERT_TRUE(cancelled.has_value());
  EXPECT_EQ(cancelled->reason, FinishReason::kCancelled);
  EXPECT_EQ(cancelled->counters.n_generated, 0);
  EXPECT_FALSE(cancelled->timings.started.has_value());
  EXPECT_TRUE(waiting->tokens().empty());
  const std::optional<RequestSummary> finished = running->WaitForFinish();
  ASSERT_TRUE(finished.has_value());
  EXPECT_EQ(finished->reason, FinishReason::kMaxTokens);
}

TEST(EngineCancel, UnknownIdsAreNotFound) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  EXPECT_EQ(engine->Cancel(12345).code(), StatusCode::kNotFound);
}

TEST(EngineCancel, AFinishedRequestIsNotFound) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  auto observer = std::make_shared<RecordingObserver>();
  StatusOr<RequestId> id = engine->Submit(GreedyRequest(runtime::MakePrompt(8, 3), 2), observer);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(observer->WaitForFinish().has_value());
  EXPECT_EQ(engine->Cancel(*id).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace fab::engine
