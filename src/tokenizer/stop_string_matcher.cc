#include "tokenizer/stop_string_matcher.h"

#include <algorithm>

namespace fab {

StopStringMatcher::StopStringMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {
  std::erase_if(stops_, [](const std::string& stop) { return stop.empty(); });
}

StopStringMatcher::Step StopStringMatcher::Push(std::string_view delta) {
  if (stopped_) return {"", true};
  pending_.append(delta);
  size_t first_match = std::string::npos;
  for (const std::string& stop : stops_) {
    first_match = std::min(first_match, pending_.find(stop));
  }
  if (first_match != std::string::npos) {
    stopped_ = true;
    std::string emit = pending_.substr(0, first_match);
    pending_.clear();
    return {std::move(emit), true};
  }
  const size_t n_emit = pending_.size() - HeldTailLength();
  std::string emit = pending_.substr(0, n_emit);
  pending_.erase(0, n_emit);
  return {std::move(emit), false};
}

std::string StopStringMatcher::Flush() {
  std::string rest = std::move(pending_);
  pending_.clear();
  return rest;
}

size_t StopStringMatcher::HeldTailLength() const {
  const std::string_view text(pending_);
  size_t held = 0;
  for (const std::string& stop : stops_) {
    // Longest k < |stop| with text ending in stop[0, k); longer k first.
    for (size_t k = std::min(stop.size() - 1, text.size()); k > held; --k) {
      if (text.substr(text.size() - k) == std::string_view(stop).substr(0, k)) {
        held = k;
        break;
      }
    }
  }
  return held;
}

}  // namespace fab
