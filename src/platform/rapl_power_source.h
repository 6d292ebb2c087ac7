// RaplPowerSource: CPU package energy from Intel/AMD RAPL through the Linux
// powercap sysfs tree (AMD exposes its zones under the intel-rapl name too).
// It sums every top-level package zone `intel-rapl:N` (not the sub-zones
// `intel-rapl:N:M`, which the package already counts, nor a "psys" platform
// zone, which would count the packages twice) and unwraps each counter.
// Thread-safe: EnergyJoules may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "platform/power_source.h"

namespace fab {

class RaplPowerSource final : public PowerSource {
 public:
  // Finds the package zones under `root` and reads each counter once.
  // NotFound when there is no zone (or `root` is missing); PermissionDenied
  // when energy_uj is unreadable (often root-only); InvalidArgument when a
  // file does not hold a plain decimal number.
  static StatusOr<std::unique_ptr<RaplPowerSource>> Open(std::string root = "/sys/class/powercap");

  // "rapl".
  const std::string& label() const override;

  // The zones' unwrapped counters summed, in joules; the origin is the sum of
  // the counters at Open. Unavailable when a zone cannot be read now.
  StatusOr<double> EnergyJoules() override;

 private:
  struct Zone {
    std::string energy_path;           // <zone>/energy_uj
    uint64_t max_range_microjoules;    // the counter wraps to 0 here
    uint64_t last_microjoules;         // the raw counter at the last reading
    uint64_t total_microjoules;        // unwrapped, since the origin
  };

  explicit RaplPowerSource(std::vector<Zone> zones) : zones_(std::move(zones)) {}
  // Reads <zone_dir>/max_energy_range_uj and energy_uj.
  static StatusOr<Zone> OpenZone(const std::string& zone_dir);

  std::mutex mutex_;
  std::vector<Zone> zones_;  // guarded by mutex_
};

}  // namespace fab
