// StopStringMatcher: ends a streamed generation at the first occurrence of
// any stop string without ever sending a client part of one. It holds back
// the longest tail of the text that could still grow into a stop string and
// releases it once it cannot. The stop string itself is never emitted (as
// OpenAI). Deltas are assumed to be whole UTF-8 characters (the streaming
// detokenizer's contract); then every emitted piece is whole characters too.
// One matcher per choice; not thread-safe. Memory: the held tail is shorter
// than the longest stop string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fab {

class StopStringMatcher {
 public:
  // `stops` as parsed (non-empty strings); an empty list passes text through.
  explicit StopStringMatcher(std::vector<std::string> stops);

  struct Step {
    std::string emit;      // safe to send now (may be empty)
    bool stopped = false;  // a stop string matched: end the choice, finish_reason "stop"
  };

  // Appends the next generated text. After a stop, returns {"" , true}.
  Step Push(std::string_view delta);

  // The held-back tail, for when the generation ends for another reason
  // (length, end-of-sequence token); empty after a stop.
  std::string Flush();

  bool stopped() const { return stopped_; }

 private:
  // Bytes at the end of pending_ that are a proper prefix of some stop string.
  size_t HeldTailLength() const;

  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
};

}  // namespace fab
