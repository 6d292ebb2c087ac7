// The energy model used when a machine has no meter (or none the operator
// named): joules = idle_watts × wall seconds since the source was made
//                + busy_watts_per_core × CPU seconds of the given threads.
// idle_watts is the machine's share that runs whether or not it serves;
// busy_watts_per_core is what one fully busy core adds. The defaults are
// rough figures for a current x86 server core and should be replaced by
// measured ones (the serve --cost-config file's [energy] table). Label
// "model". Thread-safe when `busy_cpu_seconds` is.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "platform/power_source.h"

namespace fab {

struct EnergyModelOptions {
  double idle_watts = 30.0;
  double busy_watts_per_core = 10.0;
};

class ModelPowerSource final : public PowerSource {
 public:
  // `busy_cpu_seconds` returns the CPU seconds the engine's threads have
  // used so far (monotonic).
  ModelPowerSource(EnergyModelOptions options, std::function<double()> busy_cpu_seconds);

  const std::string& label() const override { return label_; }
  StatusOr<double> EnergyJoules() override;

 private:
  const std::string label_ = "model";
  const EnergyModelOptions options_;
  const std::function<double()> busy_cpu_seconds_;
  const std::chrono::steady_clock::time_point origin_;
};

// CPU seconds (user + system) that the thread `handle` has used; 0 when it
// cannot be read. The thread must not have been joined.
double ThreadCpuSeconds(pthread_t handle);

}  // namespace fab
