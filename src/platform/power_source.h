// PowerSource: where the factory's energy figures come from. A source
// reports the energy its scope has used since an arbitrary origin, in
// joules, never decreasing; callers take differences (an engine step, a
// request, a run). Readers, one file each:
//   rapl        Intel/AMD RAPL through powercap sysfs (rapl_power_source.h)
//   nvml        NVIDIA GPUs through libnvidia-ml, loaded with dlopen
//   prometheus  a gauge (watts) or counter (joules) scraped from an exporter
//               operators already run (Kepler, DCGM exporter, Scaphandre)
//   model       no meter: CPU busy time × watts per busy core, plus idle
//               watts over wall time (model_power_source.h)
// Every figure derived from a source carries its label(). Implementations
// are thread-safe: the engine's step thread and /metrics read them.
#pragma once

#include <string>

#include "base/status.h"

namespace fab {

class PowerSource {
 public:
  virtual ~PowerSource() = default;

  // "rapl", "nvml", "prometheus" or "model".
  virtual const std::string& label() const = 0;

  // Joules since the source's origin; monotonic across calls (a counter
  // that wraps is unwrapped by the reader). Unavailable when the meter
  // cannot be read now (the caller keeps its last value).
  virtual StatusOr<double> EnergyJoules() = 0;
};

}  // namespace fab
