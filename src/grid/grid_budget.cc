#include "grid/grid_budget.h"

#include <algorithm>

namespace fab::grid {
namespace {

bool Overlaps(const TimeInterval& a, const TimeInterval& b, int64_t now_ms) {
  const int64_t a_start = a.start_ms.value_or(now_ms), b_start = b.start_ms.value_or(now_ms);
  const int64_t a_end = a.end_ms.value_or(INT64_MAX), b_end = b.end_ms.value_or(INT64_MAX);
  return a_start < b_end && b_start < a_end;
}

bool Covers(const TimeInterval& interval, int64_t now_ms) {
  return interval.start_ms.value_or(INT64_MIN) <= now_ms && now_ms < interval.end_ms.value_or(INT64_MAX);
}

}  // namespace

GridBudget::GridBudget(GridBudgetOptions options) : options_(std::move(options)) {}

bool GridBudget::ForThisFeed(const std::vector<std::string>& tags) const {
  if (tags.empty() || options_.feed_tag.empty()) return true;
  return std::find(tags.begin(), tags.end(), options_.feed_tag) != tags.end();
}

ConsumeResult GridBudget::Consume(std::string_view message, int64_t now_ms) {
  ConsumeResult result;
  StatusOr<CloudEvent> event = ParseCloudEvent(message);
  if (!event.ok()) {
    result.why = "not a valid event: " + event.status().message();
    return result;
  }
  result.type = event->type;
  result.id = event->id;
  if (event->type != kLoadTargetSetType && event->type != kPowerBreachAlertType) {
    result.why = "an event of type '" + event->type.substr(0, 64) + "' is not one this server consumes";
    return result;
  }
  // The data: verified JWS with a key; a plain object without one.
  boost::json::value data;
  if (options_.verifier) {
    if (!event->data.is_string()) {
      result.why = "its data is not signed, and --grid-public-key requires a JWS";
      return result;
    }
    StatusOr<std::string> payload = options_.verifier->Verify(event->data.as_string());
    if (!payload.ok()) {
      result.why = "its signature is refused: " + payload.status().message();
      return result;
    }
    boost::system::error_code error;
    data = boost::json::parse(*payload, error);
    if (error) {
      result.why = "its signed payload is not JSON";
      return result;
    }
  } else {
    if (event->data.is_string()) {
      result.why = "its data is a JWS, but no --grid-public-key was given to verify it";
      return result;
    }
    data = event->data;
    result.unsigned_data = true;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (seen_ids_.count(event->id) > 0) {
      result.why = "a replay of an event already seen";
      return result;
    }
    seen_ids_.insert(event->id);
    seen_order_.push_back(event->id);
    if (seen_order_.size() > kRememberedIds) {
      seen_ids_.erase(seen_order_.front());
      seen_order_.pop_front();
    }
  }
  if (event->type == kLoadTargetSetType) {
    StatusOr<LoadTargetSet> set = ParseLoadTargetSet(data);
    if (!set.ok()) {
      result.why = "its data does not fit the schema: " + set.status().message();
      return result;
    }
    ConsumeResult applied = ApplyLoadTargets(*set, *event, now_ms);
    applied.unsigned_data = result.unsigned_data;
    return applied;
  }
  StatusOr<PowerBreachAlert> alert = ParsePowerBreachAlert(data);
  if (!alert.ok()) {
    result.why = "its data does not fit the schema: " + alert.status().message();
    return result;
  }
  ConsumeResult applied = ApplyBreach(*alert, now_ms);
  applied.type = event->type;
  applied.id = event->id;
  applied.unsigned_data = result.unsigned_data;
  return applied;
}

ConsumeResult GridBudget::ApplyLoadTargets(const LoadTargetSet& set, const CloudEvent& event, int64_t now_ms) {
  ConsumeResult result;
  result.type = event.type;
  result.id = event.id;
  result.correlationid = event.correlationid;
  std::vector<const LoadTarget*> mine;
  for (const LoadTarget& target : set.targets) {
    if (ForThisFeed(target.feed_tags)) mine.push_back(&target);
  }
  if (mine.empty()) {
    result.why = "no target names this server's feed '" + options_.feed_tag + "'";
    return result;
  }
  const bool stale = std::all_of(mine.begin(), mine.end(), [&](const LoadTarget* target) {
    return target->interval.end_ms && *target->interval.end_ms <= now_ms;
  });
  if (stale) {
    result.why = "stale: every target's interval is already over";
    return result;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  Expire(now_ms);
  int n_set = 0, n_removed = 0;
  for (const LoadTarget* target : mine) {
    const size_t before = targets_.size();
    targets_.erase(std::remove_if(targets_.begin(), targets_.end(),
                                  [&](const StoredTarget& stored) {
                                    return Overlaps(stored.target.interval, target->interval, now_ms);
                                  }),
                   targets_.end());
    n_removed += static_cast<int>(before - targets_.size());
    if (target->constraint_watts) {
      targets_.push_back(StoredTarget{*target, event.correlationid.value_or(event.id)});
      ++n_set;
    }
  }
  result.applied = true;
  result.why = std::to_string(n_set) + " target(s) set, " + std::to_string(n_removed) + " replaced or removed";
  return result;
}

ConsumeResult GridBudget::ApplyBreach(const PowerBreachAlert& alert, int64_t now_ms) {
  ConsumeResult result;
  if (!options_.feed_tag.empty() && alert.feed_tag != options_.feed_tag) {
    result.why = "a breach of feed '" + alert.feed_tag.substr(0, 64) + "', not this server's";
    return result;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  Expire(now_ms);
  if (alert.status == "resolved") {
    const bool known = breaches_.erase(alert.breach_id) > 0;
    result.applied = true;
    result.why = known ? "breach resolved: shedding ends" : "breach resolved (it was not being shed here)";
  } else {
    if (alert.measured_watts <= 0.0) {
      result.why = "a breach with no measured load";
      return result;
    }
    breaches_[alert.breach_id] = {alert, now_ms};
    result.applied = true;
    result.why = "breach " + alert.status + ": shedding";
  }
  result.breach = alert;
  return result;
}

void GridBudget::Expire(int64_t now_ms) const {
  targets_.erase(std::remove_if(targets_.begin(), targets_.end(),
                                [&](const StoredTarget& stored) {
                                  return stored.target.interval.end_ms && *stored.target.interval.end_ms <= now_ms;
                                }),
                 targets_.end());
  for (auto it = breaches_.begin(); it != breaches_.end();) {
    it = it->second.second + kBreachLifetimeMs <= now_ms ? breaches_.erase(it) : std::next(it);
  }
}

std::optional<double> GridBudget::TargetWatts(int64_t now_ms, std::string* source) const {
  // The most recently set target whose interval covers now.
  for (auto it = targets_.rbegin(); it != targets_.rend(); ++it) {
    if (Covers(it->target.interval, now_ms)) {
      *source = "grid target " + it->correlation_id;
      return options_.share * *it->target.constraint_watts;
    }
  }
  return std::nullopt;
}

std::optional<double> GridBudget::BreachWatts(int64_t now_ms, std::string* source) const {
  std::optional<double> lowest;
  for (const auto& [id, entry] : breaches_) {
    const PowerBreachAlert& alert = entry.first;
    const double ratio = std::min(1.0, alert.target_watts / alert.measured_watts);
    const double watts = options_.share * alert.target_watts * ratio;
    if (!lowest || watts < *lowest) {
      lowest = watts;
      *source = "breach " + id;
    }
  }
  return lowest;
}

std::optional<double> GridBudget::Budget(int64_t now_ms, std::string* source) const {
  Expire(now_ms);
  std::optional<double> budget = options_.configured_watts;
  *source = budget ? "configured" : "none";
  std::string from;
  if (std::optional<double> target = TargetWatts(now_ms, &from); target && (!budget || *target < *budget)) {
    budget = target;
    *source = from;
  }
  if (std::optional<double> breach = BreachWatts(now_ms, &from); breach && (!budget || *breach < *budget)) {
    budget = breach;
    *source = from;
  }
  return budget;
}

std::optional<double> GridBudget::BudgetWatts(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string source;
  return Budget(now_ms, &source);
}

std::string GridBudget::BudgetSource(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string source;
  Budget(now_ms, &source);
  return source;
}

void GridBudget::SetConfiguredWatts(std::optional<double> watts) {
  std::lock_guard<std::mutex> lock(mutex_);
  options_.configured_watts = watts;
}

std::optional<double> GridBudget::configured_watts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return options_.configured_watts;
}

FeedState GridBudget::Snapshot(int64_t now_ms, double calculated_watts, const std::string& event) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string source;
  const std::optional<double> budget = Budget(now_ms, &source);
  FeedState feed;
  feed.power_maximum_watts = options_.configured_watts.value_or(std::max(calculated_watts, budget.value_or(0.0)));
  feed.default_constraint_watts = feed.power_maximum_watts;
  std::string active_source;
  TargetWatts(now_ms, &active_source);
  for (const StoredTarget& stored : targets_) {
    FeedTargetState state;
    state.active = active_source == "grid target " + stored.correlation_id && Covers(stored.target.interval, now_ms);
    state.constraint_watts = *stored.target.constraint_watts;
    state.interval = stored.target.interval;
    state.best_effort = stored.target.best_effort;
    state.correlation_id = stored.correlation_id;
    feed.targets.push_back(std::move(state));
  }
  feed.calculated_load_watts = calculated_watts;
  feed.event = event;
  feed.compliant = !budget || calculated_watts <= *budget * 1.02;
  feed.in_flight = !feed.compliant;
  return feed;
}

}  // namespace fab::grid
