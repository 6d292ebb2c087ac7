// Engine::CheckStepping, the readiness probe's view of the step thread: OK
// when idle or while a step is younger than the stall limit, Unavailable
// while one step outlives it (the step thread is parked inside a callback,
// so the step is at least as old as the test waited), OK again once it ends,
// and Unavailable after Shutdown.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "engine_test_util.h"

namespace fab::engine {
namespace {

// Polls CheckStepping until it is OK; false if it never is within kTestTimeout.
bool EventuallySteppingOk(const Engine& engine) {
  const Clock::time_point deadline = Clock::now() + kTestTimeout;
  while (Clock::now() < deadline) {
    if (engine.CheckStepping().ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

TEST(EngineStepping, AnIdleEngineIsStepping) {
  ThreadPool pool(2);
  EngineConfig config = MakeTestConfig();
  config.stall_limit = std::chrono::milliseconds(1);
  std::unique_ptr<Engine> engine = MakeEngine(pool, config);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(engine->CheckStepping().ok()) << "no step is running, however long it has been idle";
}

TEST(EngineStepping, AStepOlderThanTheStallLimitIsUnavailableUntilItEnds) {
  ThreadPool pool(2);
  EngineConfig config = MakeTestConfig();
  config.stall_limit = std::chrono::milliseconds(20);
  std::unique_ptr<Engine> engine = MakeEngine(pool, config);
  Gate reached, resume;
  auto observer = ParkAt(2, reached, resume);
  ASSERT_TRUE(engine->Submit(GreedyRequest(runtime::MakePrompt(20, 1), 4), observer).ok());
  ASSERT_TRUE(reached.Wait());
  std::this_thread::sleep_for(std::chrono::milliseconds(40));

  const Status stalled = engine->CheckStepping();
  EXPECT_EQ(stalled.code(), StatusCode::kUnavailable);
  EXPECT_NE(stalled.message().find("over the stall limit of 20 ms"), std::string::npos) << stalled.ToString();
  resume.Open();
  ASSERT_TRUE(observer->WaitForFinish().has_value());
  EXPECT_TRUE(EventuallySteppingOk(*engine)) << "the next steps are young again";
  EXPECT_EQ(observer->tokens().size(), 4u);

  engine->Shutdown(Clock::now());
  const Status stopped = engine->CheckStepping();
  EXPECT_EQ(stopped.code(), StatusCode::kUnavailable);
  EXPECT_NE(stopped.message().find("stopped"), std::string::npos) << stopped.ToString();
}

}  // namespace
}  // namespace fab::engine
