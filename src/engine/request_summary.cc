#include "engine/request_summary.h"

namespace fab::engine {
namespace {

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace

double RequestTimings::queue_seconds() const { return Seconds(started.value_or(finished) - submitted); }

std::optional<double> RequestTimings::time_to_first_token_seconds() const {
  if (!first_token) return std::nullopt;
  return Seconds(*first_token - submitted);
}

double RequestTimings::end_to_end_seconds() const { return Seconds(finished - submitted); }

}  // namespace fab::engine
