// BattleBook: the arena's battles between their start and their vote, in
// memory. A battle pairs two different served models drawn at random (every
// unordered pair equally likely, then the sides shuffled), and remembers its
// prompt, the visitor who started it, and how far each side's answer got.
// Each side's answer may be asked for once; a battle takes its vote once,
// after both answers ended well. Per-visitor limit: at most
// `battles_per_hour` battles started in any sliding hour. Bounded: at most
// kMaxBattles live battles (the oldest unvoted are forgotten first) and
// battles older than kBattleLifetime are forgotten. Thread-safe (one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/status.h"

namespace fab::arena {

enum class Side { kA, kB };

// "a" → kA, "b" → kB; nullopt otherwise.
std::optional<Side> ParseSide(std::string_view text);

struct Battle {
  std::string id;          // "battle-" + 24 hex digits from the OS generator
  std::string model_a;
  std::string model_b;
  std::string prompt;
  std::string visitor;     // the keyed hash of the visitor who started it
  int64_t started_ms = 0;  // Unix milliseconds
};

class BattleBook {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxBattles = 10000;
  static constexpr std::chrono::hours kBattleLifetime{2};

  // `models`: the served names (two or more, distinct; FAB_CHECKed);
  // `seed`: of the pairings (the server's is random: visitors must not predict them).
  BattleBook(std::vector<std::string> models, int64_t battles_per_hour, uint64_t seed);

  // A new battle for `visitor`; ResourceExhausted (naming when the next one
  // is allowed) past the visitor's hourly limit.
  StatusOr<Battle> Start(const std::string& prompt, const std::string& visitor, Clock::time_point now);

  // The battle and the model behind `side`, marking that side's answer
  // begun. NotFound for an unknown or forgotten battle; FailedPrecondition
  // when that side's answer was already asked for.
  StatusOr<Battle> BeginAnswer(const std::string& battle_id, Side side, std::string* model);

  // That side's answer ended: well (`ok`) or not.
  void EndAnswer(const std::string& battle_id, Side side, bool ok);

  // The battle, taken out of the book for its vote (a second vote finds
  // nothing). NotFound for an unknown, forgotten or voted battle;
  // FailedPrecondition while an answer has not ended well (the battle stays).
  StatusOr<Battle> TakeForVote(const std::string& battle_id);

  size_t size() const;

 private:
  enum class Answer { kNotAsked, kStreaming, kDone, kFailed };
  struct Entry {
    Battle battle;
    Answer answers[2] = {Answer::kNotAsked, Answer::kNotAsked};
    Clock::time_point started;
  };

  void Forget(Clock::time_point now);  // under mutex_

  const std::vector<std::string> models_;
  const int64_t battles_per_hour_;
  mutable std::mutex mutex_;
  std::mt19937_64 random_;                                          // guarded by mutex_
  std::map<std::string, Entry> battles_;                            // guarded by mutex_
  std::deque<std::pair<Clock::time_point, std::string>> by_start_;  // guarded by mutex_; oldest first
  std::map<std::string, std::deque<Clock::time_point>> starts_;     // guarded by mutex_; visitor → last hour's starts
};

}  // namespace fab::arena
