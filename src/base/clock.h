// Monotonic wall-clock time in seconds, for timings and rates; and the Unix
// time in milliseconds that records and books are stamped with.
#pragma once

#include <chrono>
#include <cstdint>

namespace fab {

inline double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Milliseconds since the Unix epoch (system clock, UTC).
inline int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace fab
