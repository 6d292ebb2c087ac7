#include "platform/model_power_source.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace fab {
namespace {

TEST(ModelPowerSource, IsIdleWattsOverWallTimePlusBusyWattsOverCpuTime) {
  std::atomic<double> busy_seconds{0.0};
  ModelPowerSource source({.idle_watts = 20.0, .busy_watts_per_core = 5.0}, [&] { return busy_seconds.load(); });
  EXPECT_EQ(source.label(), "model");
  const double start = *source.EnergyJoules();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  busy_seconds = 2.0;
  const double later = *source.EnergyJoules();
  // 20 W × ≥0.1 s + 5 W × 2 s.
  EXPECT_GE(later - start, 20.0 * 0.1 + 10.0 - 1e-9);
  EXPECT_LT(later - start, 20.0 * 5.0 + 10.0);  // generous bound on a loaded machine
}

TEST(ModelPowerSource, NeverDecreases) {
  ModelPowerSource source({}, nullptr);
  double last = *source.EnergyJoules();
  for (int i = 0; i < 1000; ++i) {
    const double now = *source.EnergyJoules();
    EXPECT_GE(now, last);
    last = now;
  }
}

TEST(ThreadCpuSeconds, GrowsWhileTheThreadComputes) {
  const double before = ThreadCpuSeconds(pthread_self());
  volatile double sink = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  while (std::chrono::steady_clock::now() < until) sink = sink + 1.0;
  EXPECT_GT(ThreadCpuSeconds(pthread_self()), before + 0.01);
}

}  // namespace
}  // namespace fab
