// PowerCoordinator: turns grid events and the operator's budget into each
// engine's power budget, and answers the grid. A thread ticks every 100 ms:
// it asks the GridBudget (grid/grid_budget.h) for the budget in force and
// gives each of the server's engines an equal share (Engine::SetPowerBudget;
// each engine's limiter then keeps its own meter under it). Grid messages
// come from the links (power/grid_link.h) through OnGridMessage; applied or
// ignored, each is logged as a JSON line on stderr. It publishes:
//   grid.powerstate.status.v1     on target_set (echoing the correlationid
//                                 of the target it answers), start/end of a
//                                 ramp down or up, and every heartbeat
//   grid.powerbreach.enforcement.v1  "applied" once the engines settle after
//                                 a breach alert (success when under the
//                                 budget, partial when not within 10 s), and
//                                 "reverted" when the breach is resolved;
//                                 what was slowed and deferred goes in the
//                                 "tokenfab" extension (grid/grid_events.h)
// It is also the admin API's PowerControl. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "grid/grid_budget.h"
#include "server/power_control.h"

namespace fab::power {

struct ServedEngineRef {
  std::string model;
  engine::Engine* engine = nullptr;  // outlives the coordinator
};

struct PowerCoordinatorOptions {
  std::string identifier;  // in the sources of published events: //grid/v1/dsx-flex-agent/<identifier>
  std::chrono::milliseconds tick{100};
  std::chrono::milliseconds heartbeat{30000};
  std::chrono::milliseconds enforcement_wait{10000};  // "partial" if not under the budget by then
};

class PowerCoordinator final : public server::PowerControl {
 public:
  // (type, serialized CloudEvent): where published events go; may be empty.
  using Publish = std::function<void(const std::string& type, const std::string& event)>;

  PowerCoordinator(grid::GridBudget& budget, std::vector<ServedEngineRef> engines, PowerCoordinatorOptions options,
                   Publish publish);
  ~PowerCoordinator() override;  // Stop()

  // Stops the thread: nothing is published or given to the engines after
  // it returns. OnGridMessage may still be called (it then only records).
  // Idempotent; any thread but the coordinator's.
  void Stop();
  PowerCoordinator(const PowerCoordinator&) = delete;
  PowerCoordinator& operator=(const PowerCoordinator&) = delete;

  // A message a link received (any thread).
  void OnGridMessage(std::string_view message);

  void SetConfiguredWatts(std::optional<double> watts) override;
  boost::json::object Status() const override;

 private:
  struct PendingEnforcement {
    grid::PowerBreachAlert alert;
    double watts_before = 0.0;
    std::chrono::steady_clock::time_point since;
  };

  void Run();
  void Tick(std::chrono::steady_clock::time_point now);
  double TotalWatts() const;          // the engines' measured or modelled draw
  int MaxLevel() const;
  int64_t Deferred() const;
  void PublishStatus(const std::string& event, std::optional<std::string> correlationid);
  void PublishEnforcement(const grid::PowerBreachAlert& alert, const std::string& action, const std::string& code,
                          double watts_before, double watts_after);

  grid::GridBudget& budget_;
  const std::vector<ServedEngineRef> engines_;
  const PowerCoordinatorOptions options_;
  const Publish publish_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                                     // guarded by mutex_
  std::vector<std::optional<std::string>> status_requests_;   // guarded by mutex_: correlationids to answer
  std::vector<grid::PowerBreachAlert> breaches_;              // guarded by mutex_: applied, not yet handled
  // Thread only.
  std::optional<double> last_budget_;
  bool ramping_down_ = false;
  bool ramping_up_ = false;
  std::chrono::steady_clock::time_point ramp_up_since_;
  std::chrono::steady_clock::time_point last_status_;
  std::optional<int64_t> power_event_start_ms_;
  std::map<std::string, PendingEnforcement> enforcing_;  // breach id → waiting to report "applied"
  std::thread thread_;
};

}  // namespace fab::power
