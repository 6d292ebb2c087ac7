#include "platform/model_power_source.h"

#include <pthread.h>
#include <time.h>

namespace fab {

ModelPowerSource::ModelPowerSource(EnergyModelOptions options, std::function<double()> busy_cpu_seconds)
    : options_(options), busy_cpu_seconds_(std::move(busy_cpu_seconds)), origin_(std::chrono::steady_clock::now()) {}

StatusOr<double> ModelPowerSource::EnergyJoules() {
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - origin_).count();
  const double busy_s = busy_cpu_seconds_ ? busy_cpu_seconds_() : 0.0;
  return options_.idle_watts * wall_s + options_.busy_watts_per_core * busy_s;
}

double ThreadCpuSeconds(pthread_t handle) {
  clockid_t clock;
  if (pthread_getcpuclockid(handle, &clock) != 0) return 0.0;
  timespec time{};
  if (clock_gettime(clock, &time) != 0) return 0.0;
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_nsec) * 1e-9;
}

}  // namespace fab
