// PowerLimiter: keeps an engine's draw under a power budget by changing how
// it schedules, not by how fast the chip runs. It reads the engine's meter
// (platform/power_source.h: a real one, RAPL or NVML, or the model's busy
// cores) over a sliding window and climbs or descends a ladder:
//   level 0  nothing held back
//   level 1  batch deferred (neither admitted nor run; it keeps its KV)
//   level 2  batch deferred, standard (interactive) every 2nd step
//   level 3  as 2, and every step followed by a rest: the engine steps a
//            fraction `duty` of the time (premium slows only here), the duty
//            set by an integral controller on the budget's relative error
// It climbs one level when the window's watts exceed the budget and the
// last change has settled (one window); it descends when the watts have
// stayed under `release` × budget for `hold` windows (at level 3 the duty
// first returns to 1). Without a budget it is at level 0. Settling time and
// overshoot against a simulated meter: tests/engine/power_limiter_test.cc
// and docs/operations.md. Not thread-safe: the engine's step thread owns it
// (the budget comes in through Engine::SetPowerBudget).
#pragma once

#include <chrono>
#include <deque>
#include <optional>

#include "scheduler/scheduler.h"

namespace fab::engine {

struct PowerLimiterOptions {
  std::chrono::milliseconds window{500};  // watts are the mean over this
  double release = 0.85;                  // descend once under this share of the budget…
  int hold_windows = 2;                   // …for this many windows
  double min_duty = 0.05;
  double duty_gain = 1.5;                 // duty change per second per unit relative error
};

// What the engine does until the next observation.
struct PowerPlan {
  int level = 0;
  double duty = 1.0;          // fraction of time stepping; rest after a step of t: t × (1 − duty) / duty
  scheduler::Throttle throttle;
};

class PowerLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kMaxLevel = 3;

  explicit PowerLimiter(PowerLimiterOptions options = {});

  // nullopt: no budget (level 0 from the next observation).
  void SetBudget(std::optional<double> watts);
  std::optional<double> budget() const { return budget_; }

  // The meter's joules at `now` (nullopt: unreadable; the last plan stands).
  PowerPlan Observe(std::optional<double> joules, Clock::time_point now);

  // The mean watts over the last window, once it spans half a window.
  std::optional<double> watts() const { return watts_; }
  const PowerPlan& plan() const { return plan_; }

 private:
  void Climb(Clock::time_point now);
  void Descend(Clock::time_point now);
  void Apply();  // plan_ from level_ and duty_

  const PowerLimiterOptions options_;
  std::optional<double> budget_;
  std::deque<std::pair<Clock::time_point, double>> readings_;  // within the window
  std::optional<double> watts_;
  int level_ = 0;
  double duty_ = 1.0;
  Clock::time_point last_change_{};
  Clock::time_point under_since_{};
  bool under_ = false;
  Clock::time_point last_observation_{};
  PowerPlan plan_;
};

}  // namespace fab::engine
