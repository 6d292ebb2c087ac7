#include "engine/power_limiter.h"

#include <algorithm>

namespace fab::engine {

PowerLimiter::PowerLimiter(PowerLimiterOptions options) : options_(options) { Apply(); }

void PowerLimiter::SetBudget(std::optional<double> watts) { budget_ = watts; }

void PowerLimiter::Apply() {
  plan_.level = level_;
  plan_.duty = level_ >= 3 ? duty_ : 1.0;
  plan_.throttle = scheduler::Throttle{};
  if (level_ >= 1) plan_.throttle.lowest_rank = PriorityRank(Priority::kInteractive);
  if (level_ >= 2) plan_.throttle.interactive_every = 2;
}

void PowerLimiter::Climb(Clock::time_point now) {
  if (level_ < kMaxLevel) {
    ++level_;
    if (level_ == kMaxLevel) duty_ = 1.0;
  }
  last_change_ = now;
  under_ = false;
}

void PowerLimiter::Descend(Clock::time_point now) {
  if (level_ > 0) --level_;
  last_change_ = now;
  under_ = false;
}

PowerPlan PowerLimiter::Observe(std::optional<double> joules, Clock::time_point now) {
  const double dt = last_observation_ == Clock::time_point{} ? 0.0
                                                             : std::chrono::duration<double>(now - last_observation_).count();
  last_observation_ = now;
  if (!budget_ && (level_ != 0 || duty_ != 1.0)) {  // no budget: nothing held back, meter or not
    level_ = 0;
    duty_ = 1.0;
    Apply();
  }
  if (!joules) return plan_;
  readings_.emplace_back(now, *joules);
  while (readings_.size() > 2 && now - readings_[1].first >= options_.window) readings_.pop_front();
  const double span = std::chrono::duration<double>(readings_.back().first - readings_.front().first).count();
  const double window_s = std::chrono::duration<double>(options_.window).count();
  if (span < window_s / 2) return plan_;
  watts_ = std::max(0.0, (readings_.back().second - readings_.front().second) / span);
  if (!budget_) {
    level_ = 0;
    duty_ = 1.0;
    Apply();
    return plan_;
  }
  const double budget = std::max(*budget_, 1e-9);
  const double error = (budget - *watts_) / budget;  // > 0: headroom
  const bool settled = now - last_change_ >= options_.window;
  if (*watts_ > budget) {
    under_ = false;
    if (level_ < kMaxLevel) {
      if (settled) Climb(now);
    } else {
      duty_ = std::clamp(duty_ + options_.duty_gain * error * dt, options_.min_duty, 1.0);
    }
  } else if (level_ == kMaxLevel && duty_ < 1.0) {
    // Under budget with rests: give the duty back gradually.
    duty_ = std::clamp(duty_ + options_.duty_gain * error * dt, options_.min_duty, 1.0);
  } else if (*watts_ < options_.release * budget) {
    if (!under_) {
      under_ = true;
      under_since_ = now;
    } else if (level_ > 0 && settled && now - under_since_ >= options_.window * options_.hold_windows) {
      Descend(now);
    }
  } else {
    under_ = false;
  }
  Apply();
  return plan_;
}

}  // namespace fab::engine
