#include "arena/battle_book.h"

#include <algorithm>
#include <cstdio>

#include "base/check.h"
#include "base/clock.h"
#include "control/crypto.h"

namespace fab::arena {

std::optional<Side> ParseSide(std::string_view text) {
  if (text == "a") return Side::kA;
  if (text == "b") return Side::kB;
  return std::nullopt;
}

BattleBook::BattleBook(std::vector<std::string> models, int64_t battles_per_hour, uint64_t seed)
    : models_(std::move(models)), battles_per_hour_(battles_per_hour), random_(seed) {
  FAB_CHECK(models_.size() >= 2) << "a battle needs two models";
  FAB_CHECK(battles_per_hour_ >= 1);
}

void BattleBook::Forget(Clock::time_point now) {
  while (!by_start_.empty() &&
         (by_start_.front().first + kBattleLifetime < now || battles_.size() > kMaxBattles)) {
    battles_.erase(by_start_.front().second);
    by_start_.pop_front();
  }
  for (auto it = starts_.begin(); it != starts_.end();) {
    std::deque<Clock::time_point>& starts = it->second;
    while (!starts.empty() && starts.front() + std::chrono::hours(1) <= now) starts.pop_front();
    it = starts.empty() ? starts_.erase(it) : std::next(it);
  }
}

StatusOr<Battle> BattleBook::Start(const std::string& prompt, const std::string& visitor, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  Forget(now);
  std::deque<Clock::time_point>& starts = starts_[visitor];
  if (static_cast<int64_t>(starts.size()) >= battles_per_hour_) {
    const auto wait = std::chrono::ceil<std::chrono::minutes>(starts.front() + std::chrono::hours(1) - now);
    return ResourceExhaustedError("this visitor started " + std::to_string(battles_per_hour_) +
                                  " battles in the last hour, the arena's limit; the next one is allowed in " +
                                  std::to_string(wait.count()) + " min");
  }
  // An unordered pair, each equally likely, then which side each model takes.
  const size_t n = models_.size();
  std::uniform_int_distribution<size_t> pick(0, n * (n - 1) / 2 - 1);
  size_t pair = pick(random_), first = 0;
  while (pair >= n - 1 - first) pair -= n - 1 - first++;
  const size_t second = first + 1 + pair;
  const bool swap = std::bernoulli_distribution(0.5)(random_);
  // Ids are capabilities (an answer streams once, a battle takes one vote): from the OS generator.
  const StatusOr<std::string> random = control::RandomBytes(12);
  std::string id = "battle-";
  for (size_t i = 0; i < 12; ++i) {
    const auto byte = static_cast<unsigned char>(random.ok() ? (*random)[i] : static_cast<char>(random_()));
    id += "0123456789abcdef"[byte >> 4];
    id += "0123456789abcdef"[byte & 15];
  }
  Entry entry;
  entry.battle = Battle{id, models_[swap ? second : first], models_[swap ? first : second], prompt, visitor,
                        UnixMillis()};
  entry.started = now;
  starts.push_back(now);
  by_start_.emplace_back(now, entry.battle.id);
  Battle battle = entry.battle;
  battles_.emplace(battle.id, std::move(entry));
  Forget(now);
  return battle;
}

StatusOr<Battle> BattleBook::BeginAnswer(const std::string& battle_id, Side side, std::string* model) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = battles_.find(battle_id);
  if (found == battles_.end()) return NotFoundError("no battle '" + battle_id.substr(0, 64) + "' (unknown, voted on or expired)");
  Answer& answer = found->second.answers[side == Side::kA ? 0 : 1];
  if (answer != Answer::kNotAsked) {
    return FailedPreconditionError("answer " + std::string(side == Side::kA ? "a" : "b") + " of " + battle_id +
                                   " was already asked for; each answer streams once");
  }
  answer = Answer::kStreaming;
  *model = side == Side::kA ? found->second.battle.model_a : found->second.battle.model_b;
  return found->second.battle;
}

void BattleBook::EndAnswer(const std::string& battle_id, Side side, bool ok) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = battles_.find(battle_id);
  if (found != battles_.end()) found->second.answers[side == Side::kA ? 0 : 1] = ok ? Answer::kDone : Answer::kFailed;
}

StatusOr<Battle> BattleBook::TakeForVote(const std::string& battle_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = battles_.find(battle_id);
  if (found == battles_.end()) return NotFoundError("no battle '" + battle_id.substr(0, 64) + "' (unknown, voted on or expired)");
  for (Answer answer : found->second.answers) {
    if (answer == Answer::kFailed) return FailedPreconditionError("an answer of " + battle_id + " failed: start a new battle");
    if (answer != Answer::kDone) return FailedPreconditionError("both answers of " + battle_id + " must end before the vote");
  }
  Battle battle = std::move(found->second.battle);
  battles_.erase(found);
  by_start_.erase(std::remove_if(by_start_.begin(), by_start_.end(),
                                 [&](const auto& entry) { return entry.second == battle_id; }),
                  by_start_.end());
  return battle;
}

size_t BattleBook::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return battles_.size();
}

}  // namespace fab::arena
