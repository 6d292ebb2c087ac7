// Submit: bad requests are refused with InvalidArgument naming the field; a
// full waiting queue refuses at once with ResourceExhausted; SubmitAll is
// all or none; after Shutdown began everything is Unavailable. A refused
// request's observer is never called.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

void ExpectInvalid(Engine& engine, const GenerationRequest& request, const std::string& field) {
  auto observer = std::make_shared<RecordingObserver>();
  StatusOr<RequestId> id = engine.Submit(request, observer);
  ASSERT_FALSE(id.ok()) << field;
  EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument) << id.status().ToString();
  EXPECT_NE(id.status().message().find(field), std::string::npos) << id.status().ToString();
}

TEST(EngineAdmission, RefusesBadRequestsNamingTheField) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  ExpectInvalid(*engine, GreedyRequest({}, 4), "prompt is empty");
  ExpectInvalid(*engine, GreedyRequest(runtime::MakePrompt(4, 1), 0), "max_new_tokens");
  ExpectInvalid(*engine, GreedyRequest({1, 2, 600}, 4), "prompt token 600 at index 2");
  ExpectInvalid(*engine, GreedyRequest({1, -1}, 4), "outside the vocabulary");
  ExpectInvalid(*engine, GreedyRequest(runtime::MakePrompt(500, 1), 20), "context of 512");
  GenerationRequest odd_priority = GreedyRequest(runtime::MakePrompt(4, 1), 4);
  odd_priority.priority = static_cast<Priority>(kNumPriorities);
  ExpectInvalid(*engine, odd_priority, "priority " + std::to_string(kNumPriorities));
  GenerationRequest bad_sampling = GreedyRequest(runtime::MakePrompt(4, 1), 4);
  bad_sampling.sampling.top_p = std::numeric_limits<float>::quiet_NaN();
  ExpectInvalid(*engine, bad_sampling, "sampling: top_p");
  GenerationRequest many_stops = GreedyRequest(runtime::MakePrompt(4, 1), 4);
  many_stops.stop_tokens.assign(5000, 7);
  ExpectInvalid(*engine, many_stops, "stop_tokens");
  engine->Shutdown(Clock::now());
  EXPECT_EQ(engine->Stats().n_submitted, 0);
}

// The last generated token takes no position: a scoring request (one token,
// dropped by the server) may fill the context, one token more may not.
TEST(EngineAdmission, APromptMayFillTheContextWhenOneTokenIsAskedFor) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  ExpectInvalid(*engine, GreedyRequest(runtime::MakePrompt(512, 1), 2), "context of 512");
  auto observer = std::make_shared<RecordingObserver>();
  StatusOr<RequestId> id = engine->Submit(GreedyRequest(runtime::MakePrompt(512, 1), 1), observer);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  engine->Shutdown(Clock::now() + std::chrono::seconds(60));
}

TEST(EngineAdmission, RefusesAPromptLongerThanTheKvPool) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool, MakeTestConfig(/*capacity_tokens=*/64));
  ExpectInvalid(*engine, GreedyRequest(runtime::MakePrompt(65, 1), 1), "KV cache pool of 64 tokens");
}

TEST(EngineAdmission, AFullWaitingQueueRefusesAtOnce) {
  Gate reached, resume;
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool, MakeTestConfig(16 * 256, /*max_sequences=*/1, /*max_waiting=*/2));
  // The step thread parks in the first request's first token: nothing is admitted meanwhile.
  auto first = ParkAt(1, reached, resume);
  ASSERT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(10, 1), 3), first).ok());
  ASSERT_TRUE(reached.Wait());
  std::vector<std::shared_ptr<RecordingObserver>> queued;
  for (uint32_t seed = 2; seed <= 3; ++seed) {
    queued.push_back(std::make_shared<RecordingObserver>());
    EXPECT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(10, seed), 3), queued.back()).ok());
  }
  auto refused = std::make_shared<RecordingObserver>();
  StatusOr<RequestId> overflow = engine->Submit(GreedyRequest(runtime::MakePrompt(10, 4), 3), refused);
  EXPECT_EQ(overflow.status().code(), StatusCode::kResourceExhausted) << overflow.status().ToString();
  EXPECT_EQ(engine->Stats().n_waiting, 0) << "the stats are those of the parked step";
  resume.Open();

  for (const auto& observer : queued) {
    const std::optional<RequestSummary> summary = observer->WaitForFinish();
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->reason, FinishReason::kMaxTokens);
  }
  auto later = std::make_shared<RecordingObserver>();
  EXPECT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(10, 5), 3), later).ok()) << "the queue drained";
  engine->Shutdown(Clock::now() + kTestTimeout);
  EXPECT_EQ(refused->n_finish_calls(), 0);
  EXPECT_TRUE(refused->tokens().empty());
  EXPECT_EQ(later->n_finish_calls(), 1);
}

TEST(EngineAdmission, SubmitAllIsAllOrNone) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  std::vector<GenerationRequest> requests = {GreedyRequest(runtime::MakePrompt(8, 1), 2),
                                             GreedyRequest(runtime::MakePrompt(8, 2), 0),
                                             GreedyRequest(runtime::MakePrompt(8, 3), 2)};
  std::vector<std::shared_ptr<RequestObserver>> observers(3);
  StatusOr<std::vector<RequestId>> ids = engine->SubmitAll(requests, observers);
  EXPECT_EQ(ids.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ids.status().message().find("request 1: max_new_tokens"), std::string::npos) << ids.status().ToString();
  requests[1].max_new_tokens = 2;
  ids = engine->SubmitAll(requests, observers);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(ids->size(), 3u);
  engine->Shutdown(Clock::now() + kTestTimeout);
  EXPECT_EQ(engine->Stats().n_submitted, 3);
  EXPECT_EQ(engine->Stats().n_finished_by_reason[static_cast<size_t>(FinishReason::kMaxTokens)], 3);
}

TEST(EngineAdmission, RefusesEverythingOnceShutdownBegan) {
  ThreadPool pool(2);
  std::unique_ptr<Engine> engine = MakeEngine(pool);
  engine->Shutdown(Clock::now());
  auto observer = std::make_shared<RecordingObserver>();
  EXPECT_EQ(engine->Submit(GreedyRequest(runtime::MakePrompt(8, 1), 2), observer).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(observer->n_finish_calls(), 0);
}

}  // namespace
}  // namespace fab::engine
