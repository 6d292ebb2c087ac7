#include "power/power_coordinator.h"

#include <cstdio>

#include "base/clock.h"
#include "grid/grid_events.h"

namespace fab::power {
namespace {

namespace json = boost::json;

void LogLine(const json::object& line) { std::fprintf(stderr, "%s\n", json::serialize(line).c_str()); }

json::value Watts(std::optional<double> watts) { return watts ? json::value(*watts) : json::value(nullptr); }

}  // namespace

PowerCoordinator::PowerCoordinator(grid::GridBudget& budget, std::vector<ServedEngineRef> engines,
                                   PowerCoordinatorOptions options, Publish publish)
    : budget_(budget), engines_(std::move(engines)), options_(std::move(options)), publish_(std::move(publish)) {
  thread_ = std::thread([this] { Run(); });
}

PowerCoordinator::~PowerCoordinator() { Stop(); }

void PowerCoordinator::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PowerCoordinator::OnGridMessage(std::string_view message) {
  const grid::ConsumeResult result = budget_.Consume(message, UnixMillis());
  json::object line{{"grid", result.applied ? "applied" : "ignored"}, {"why", result.why}};
  if (!result.type.empty()) line["type"] = result.type;
  if (!result.id.empty()) line["id"] = result.id;
  if (result.applied && result.unsigned_data) line["unsigned"] = true;
  LogLine(line);
  if (!result.applied) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (result.type == grid::kLoadTargetSetType) status_requests_.push_back(result.correlationid);
    if (result.breach) breaches_.push_back(*result.breach);
  }
  wake_.notify_all();
}

void PowerCoordinator::SetConfiguredWatts(std::optional<double> watts) {
  budget_.SetConfiguredWatts(watts);
  wake_.notify_all();
}

double PowerCoordinator::TotalWatts() const {
  double total = 0.0;
  for (const ServedEngineRef& served : engines_) total += std::max(0.0, served.engine->Stats().power_watts);
  return total;
}

int PowerCoordinator::MaxLevel() const {
  int level = 0;
  for (const ServedEngineRef& served : engines_) level = std::max<int>(level, served.engine->Stats().power_level);
  return level;
}

int64_t PowerCoordinator::Deferred() const {
  int64_t n = 0;
  for (const ServedEngineRef& served : engines_) n += served.engine->Stats().n_deferred;
  return n;
}

json::object PowerCoordinator::Status() const {
  const int64_t now_ms = UnixMillis();
  json::array models;
  for (const ServedEngineRef& served : engines_) {
    const engine::EngineStats stats = served.engine->Stats();
    models.push_back(json::object{{"model", served.model},
                                  {"budget_watts", stats.power_budget_watts < 0 ? json::value(nullptr)
                                                                                 : json::value(stats.power_budget_watts)},
                                  {"watts", stats.power_watts < 0 ? json::value(nullptr) : json::value(stats.power_watts)},
                                  {"level", stats.power_level},
                                  {"duty", stats.power_duty},
                                  {"deferred", stats.n_deferred}});
  }
  return json::object{{"budget_watts", Watts(budget_.BudgetWatts(now_ms))},
                      {"source", budget_.BudgetSource(now_ms)},
                      {"configured_watts", Watts(budget_.configured_watts())},
                      {"watts", TotalWatts()},
                      {"feed", budget_.feed_tag()},
                      {"models", std::move(models)}};
}

void PowerCoordinator::PublishStatus(const std::string& event, std::optional<std::string> correlationid) {
  last_status_ = std::chrono::steady_clock::now();
  if (!publish_) return;
  const int64_t now_ms = UnixMillis();
  grid::FeedState feed = budget_.Snapshot(now_ms, TotalWatts(), event);
  feed.power_event_start_ms = power_event_start_ms_;
  const std::string feed_tag = budget_.feed_tag().empty() ? "default" : budget_.feed_tag();
  publish_(grid::kPowerStateStatusType,
           grid::SerializeCloudEvent(grid::MakeEvent(grid::kPowerStateStatusType,
                                                     "//grid/v1/dsx-flex-agent/" + options_.identifier, "powerstate",
                                                     grid::PowerStateStatusData(now_ms, feed_tag, feed), now_ms,
                                                     std::move(correlationid))));
}

void PowerCoordinator::PublishEnforcement(const grid::PowerBreachAlert& alert, const std::string& action,
                                          const std::string& code, double watts_before, double watts_after) {
  grid::Enforcement enforcement;
  enforcement.breach_id = alert.breach_id;
  enforcement.feed_tag = alert.feed_tag;
  enforcement.action = action;
  enforcement.code = code;
  enforcement.node_id = options_.identifier;
  const int level = MaxLevel();
  if (action == "applied") {
    if (level >= 1) enforcement.tiers_deferred = {"batch"};
    if (level >= 2) enforcement.tiers_slowed = {"standard"};
    if (level >= 3) enforcement.tiers_slowed.push_back("premium");
    enforcement.requests_deferred = Deferred();
  }
  enforcement.diag_msg = action == "applied" ? "serving engine shed level " + std::to_string(level)
                                             : "breach resolved: the budget returns to the configured one";
  enforcement.watts_before = watts_before;
  enforcement.watts_after = watts_after;
  enforcement.timestamp_ms = UnixMillis();
  LogLine(json::object{{"grid", "enforcement"}, {"action", action}, {"code", code}, {"breach_id", alert.breach_id},
                       {"watts_before", watts_before}, {"watts_after", watts_after}});
  if (!publish_) return;
  publish_(grid::kPowerBreachEnforcementType,
           grid::SerializeCloudEvent(grid::MakeEvent(grid::kPowerBreachEnforcementType, "//grid/v1/infra/" + options_.identifier,
                                                     "powerbreach", grid::PowerBreachEnforcementData(enforcement),
                                                     enforcement.timestamp_ms)));
}

void PowerCoordinator::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.tick);
    if (stopping_) break;
    lock.unlock();
    Tick(std::chrono::steady_clock::now());
    lock.lock();
  }
}

void PowerCoordinator::Tick(std::chrono::steady_clock::time_point now) {
  const int64_t now_ms = UnixMillis();
  const std::optional<double> budget = budget_.BudgetWatts(now_ms);
  if (budget != last_budget_) {
    const std::optional<double> share =
        budget ? std::optional<double>(*budget / static_cast<double>(engines_.size())) : std::nullopt;
    for (const ServedEngineRef& served : engines_) served.engine->SetPowerBudget(share);
  }
  std::vector<std::optional<std::string>> answers;
  std::vector<grid::PowerBreachAlert> breaches;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    answers.swap(status_requests_);
    breaches.swap(breaches_);
  }
  for (std::optional<std::string>& correlationid : answers) PublishStatus("target_set", std::move(correlationid));
  const double watts = TotalWatts();
  // Ramps: a tighter budget starts a ramp down, which ends once under it; a
  // looser one (or none) starts a ramp up, which ends when the engines have
  // stepped back down their ladders or two seconds passed.
  const bool tighter = budget && (!last_budget_ || *budget < *last_budget_);
  const bool looser = last_budget_ && (!budget || *budget > *last_budget_);
  if (tighter) {
    ramping_down_ = true;
    ramping_up_ = false;
    if (!power_event_start_ms_) power_event_start_ms_ = now_ms;
    PublishStatus("start_ramp_down", std::nullopt);
  } else if (looser) {
    ramping_up_ = true;
    ramping_down_ = false;
    ramp_up_since_ = now;
    PublishStatus("start_ramp_up", std::nullopt);
  } else if (ramping_down_ && budget && watts > 0 && watts <= *budget) {
    ramping_down_ = false;
    PublishStatus("end_ramp_down", std::nullopt);
  } else if (ramping_up_ && (MaxLevel() == 0 || now - ramp_up_since_ > std::chrono::seconds(2))) {
    ramping_up_ = false;
    if (!budget) power_event_start_ms_.reset();
    PublishStatus("end_ramp_up", std::nullopt);
  } else if (now - last_status_ >= options_.heartbeat) {
    PublishStatus("periodic", std::nullopt);
  }
  last_budget_ = budget;
  // Breaches: "applied" once the engines are under the budget (or the wait is over); "reverted" on resolve.
  for (const grid::PowerBreachAlert& alert : breaches) {
    if (alert.status == "resolved") {
      const auto pending = enforcing_.find(alert.breach_id);
      if (pending != enforcing_.end()) {
        PublishEnforcement(pending->second.alert, "applied", "partial", pending->second.watts_before, watts);
        enforcing_.erase(pending);
      }
      PublishEnforcement(alert, "reverted", "success", watts, watts);
    } else if (enforcing_.count(alert.breach_id) == 0) {
      enforcing_[alert.breach_id] = PendingEnforcement{alert, watts, now};
    }
  }
  for (auto it = enforcing_.begin(); it != enforcing_.end();) {
    const bool settled = budget && watts > 0 && watts <= *budget && now - it->second.since >= std::chrono::milliseconds(500);
    const bool waited = now - it->second.since >= options_.enforcement_wait;
    if (settled || waited) {
      PublishEnforcement(it->second.alert, "applied", settled ? "success" : "partial", it->second.watts_before, watts);
      it = enforcing_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace fab::power
