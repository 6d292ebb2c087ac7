// Monotonic wall-clock time in seconds, for timings and rates.
#pragma once

#include <chrono>

namespace fab {

inline double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace fab
