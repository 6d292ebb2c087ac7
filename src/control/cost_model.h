// The cost model and the energy settings of `tokenfab serve --cost-config
// FILE` (TOML). Every key is optional; the defaults are placeholders to be
// replaced by the operator's own prices:
//   [cost]
//   currency = "USD"
//   price_per_kwh = 0.15          # electricity, per kWh at the meter
//   pue = 1.0                     # facility overhead: 1.3 bills 30% more energy
//   hardware_cost_per_hour = 0.0  # or hardware_price + hardware_life_years:
//   hardware_price = 0.0          #   amortised as price / (years × 8766 h)
//   hardware_life_years = 4.0
//   [energy]
//   source = "model"              # model | rapl | nvml | prometheus
//   idle_watts = 30.0             # the model's baseline
//   busy_watts_per_core = 10.0    # the model's watts per busy core
//   rapl_root = "/sys/class/powercap"
//   nvml_library = "libnvidia-ml.so.1"
//   prometheus_url = "http://127.0.0.1:9102/metrics"
//   prometheus_metric = "kepler_node_package_joules_total"
//   prometheus_labels = ""        # key="value",… every summed sample has
//   prometheus_kind = "counter"   # counter (joules) | gauge (watts)
// A request's cost = joules / 3.6e6 × pue × price_per_kwh
//                  + machine_seconds × hardware cost per hour / 3600,
// where machine_seconds is its token share of the steps that computed it.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "platform/model_power_source.h"

namespace fab::control {

inline constexpr double kJoulesPerKwh = 3.6e6;

struct CostModel {
  std::string currency = "USD";
  double price_per_kwh = 0.15;
  double pue = 1.0;
  double hardware_cost_per_hour = 0.0;

  // Money for `joules` of energy and `machine_seconds` of the machine.
  double Cost(double joules, double machine_seconds) const;
};

struct EnergySettings {
  std::string source = "model";
  EnergyModelOptions model;
  std::string rapl_root = "/sys/class/powercap";
  std::string nvml_library = "libnvidia-ml.so.1";
  std::string prometheus_url;
  std::string prometheus_metric;
  std::string prometheus_labels;
  std::string prometheus_kind = "counter";
};

struct CostConfig {
  CostModel cost;
  EnergySettings energy;
};

inline constexpr size_t kMaxCostConfigBytes = 64 * 1024;

// Parses the TOML text; InvalidArgument naming the key (and line) for a
// syntax error, an unknown table or key, a value of the wrong type, a
// negative price, a PUE below 1 or above 10, or an unknown source or kind.
StatusOr<CostConfig> ParseCostConfig(std::string_view toml_text);

// Reads and parses `path` (at most kMaxCostConfigBytes).
StatusOr<CostConfig> LoadCostConfig(const std::string& path);

}  // namespace fab::control
