// PowerControl: the server's power budget as the admin API sees it —
// implemented by power/power_coordinator.h, which also hears the grid.
//   GET /admin/v1/power   → Status()
//   PUT /admin/v1/power   {"budget_watts": W | null} → sets the operator's
//                         budget (null removes it), audited as power.budget
// Thread-safe.
#pragma once

#include <optional>

#include <boost/json.hpp>

namespace fab::server {

class PowerControl {
 public:
  virtual ~PowerControl() = default;
  virtual void SetConfiguredWatts(std::optional<double> watts) = 0;
  // {"budget_watts": W | null, "source", "configured_watts": W | null,
  //  "watts": W | null, "models": [{"model", "budget_watts", "watts", "level", "duty", "deferred"}]}
  virtual boost::json::object Status() const = 0;
};

}  // namespace fab::server
